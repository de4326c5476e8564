namespace CrossCloudAuth.Google;

/// <summary>
/// Supplies the subject token that Google's Security Token Service exchanges for a federated token: a
/// projected OIDC token read from a file, a token from a URL or an executable, or an AWS
/// <c>aws4_request</c> signed <c>GetCallerIdentity</c> request.
/// </summary>
/// <remarks>Implementations are thread-safe and produce the token anew on every call (a projected token file
/// is rotated by the kubelet, and a reused token is rejected as stale), so subject tokens are not cached.</remarks>
public interface ISubjectTokenSource
{
    /// <summary>Gets the hop's name as it appears in errors, logs and traces. Never contains a secret.</summary>
    string HopName { get; }

    /// <summary>Gets the RFC 8693 token type of the subject token, such as
    /// <c>urn:ietf:params:oauth:token-type:jwt</c> or <c>urn:ietf:params:aws:token-type:aws4_request</c>.</summary>
    string SubjectTokenType { get; }

    /// <summary>Produces a subject token.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The subject token, ready to send as <c>subject_token</c>.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The token's source does not exist here.</exception>
    /// <exception cref="CredentialConfigurationException">The source's configuration is invalid.</exception>
    /// <exception cref="CredentialRequestFailedException">An upstream service failed to supply the token.</exception>
    ValueTask<string> GetSubjectTokenAsync(CancellationToken cancellationToken = default);
}
