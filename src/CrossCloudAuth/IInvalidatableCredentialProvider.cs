namespace CrossCloudAuth;

/// <summary>
/// A credential provider that can be told that a service rejected one of its credentials (an HTTP 401 carrying a
/// token that has not expired: revoked, or its principal's access changed), so that the next call fetches a new one
/// instead of serving the rejected one until it expires.
/// </summary>
/// <typeparam name="TCredential">The credential the provider hands out.</typeparam>
/// <remarks>
/// <para>Invalidation is compare-and-clear: only the reported credential is dropped. When the provider already holds
/// a newer one, nothing happens, so every concurrent caller can report the same rejected credential and the
/// provider still refreshes once.</para>
/// <para>A provider never lets a service that rejects every credential turn invalidation into a loop of refreshes:
/// it may refuse to drop a credential it has only just fetched (<see cref="Invalidate"/> then returns
/// <see langword="false"/>, and the caller should give up and surface the rejection).</para>
/// <para>Implementations are thread-safe.</para>
/// </remarks>
public interface IInvalidatableCredentialProvider<TCredential> : ICredentialProvider<TCredential>
    where TCredential : class, IExpiringCredential
{
    /// <summary>Reports that a service rejected <paramref name="rejected"/>, a credential this provider handed out.</summary>
    /// <param name="rejected">The credential the service rejected.</param>
    /// <returns><see langword="true"/> when <paramref name="rejected"/> is no longer served, so a retry with the next
    /// credential from <see cref="ICredentialProvider{TCredential}.GetAsync"/> makes sense (it was dropped now, or had
    /// already been replaced); <see langword="false"/> when it is still served (it was fetched too recently to be
    /// dropped again, or the provider is disposed): do not retry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rejected"/> is <see langword="null"/>.</exception>
    bool Invalidate(TCredential rejected);
}
