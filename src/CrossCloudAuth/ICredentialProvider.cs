namespace CrossCloudAuth;

/// <summary>
/// One hop of a credential pipeline: a source that reads or fetches a credential (a projected token file,
/// instance metadata, an STS exchange), or a cache in front of such a source.
/// </summary>
/// <typeparam name="TCredential">The credential the hop produces.</typeparam>
/// <remarks>Implementations are thread-safe. A source fetches anew on every call; wrap it in a
/// <see cref="Caching.RefreshAheadCache{TCredential}"/> to share one credential between calls, or build AWS hops with
/// <see cref="Aws.AwsCredentialChain"/>, which caches each hop it builds.</remarks>
public interface ICredentialProvider<TCredential>
    where TCredential : class, IExpiringCredential
{
    /// <summary>Gets the hop's name as it appears in errors, logs, metrics and traces, such as
    /// <c>aws-sts:AssumeRoleWithWebIdentity</c>. Never contains a secret.</summary>
    string HopName { get; }

    /// <summary>Gets a credential.</summary>
    /// <param name="cancellationToken">Cancels this caller's wait. A cache never lets one caller's
    /// cancellation cancel a refresh that other callers share.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The credential this hop needs does not exist here.</exception>
    /// <exception cref="CredentialConfigurationException">The hop's configuration is invalid.</exception>
    /// <exception cref="CredentialRequestFailedException">The upstream service rejected the request or failed.</exception>
    ValueTask<TCredential> GetAsync(CancellationToken cancellationToken = default);
}
