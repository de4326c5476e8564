using CrossCloudAuth.Caching;

namespace CrossCloudAuth.Google;

/// <content>Dropping a token a Google API rejected (HTTP 401) before it expires.</content>
public sealed partial class GoogleFederatedCredential : IInvalidatableCredentialProvider<AuthToken>
{
    /// <summary>Reports that a Google API rejected <paramref name="rejected"/> (an HTTP 401 for a token that has not
    /// expired: revoked, or the service account's keys or access changed), so that the next call fetches a new token.
    /// The registered <see cref="Apis.GoogleApisCredential"/> and <see cref="GoogleBearerTokenHandler"/> call it
    /// themselves; call it when sending requests some other way.</summary>
    /// <param name="rejected">An access token or ID token this credential handed out.</param>
    /// <returns><see langword="true"/> when <paramref name="rejected"/> is no longer served (dropped now, or already
    /// replaced): retry the request once with a new token. <see langword="false"/> when it is kept because it was
    /// fetched less than 30 seconds ago (so that an API rejecting every token costs at most one exchange per
    /// 30 seconds, never one per request), or the credential is disposed: do not retry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rejected"/> is <see langword="null"/>.</exception>
    /// <remarks>Only the final token is dropped: with impersonation, the impersonated token, while the federated token
    /// from STS stays cached as long as it is valid (the next token costs one IAM Credentials call). Compare-and-clear:
    /// a token that has already been replaced is left alone, so concurrent callers reporting the same token cause one
    /// refresh.</remarks>
    public bool Invalidate(AuthToken rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        foreach (RefreshAheadCache<AuthToken> cache in TokenCaches())
        {
            switch (cache.TryInvalidate(rejected))
            {
                case RefreshAheadCache<AuthToken>.InvalidationOutcome.Dropped:
                    return true;
                case RefreshAheadCache<AuthToken>.InvalidationOutcome.TooRecent:
                case RefreshAheadCache<AuthToken>.InvalidationOutcome.Disposed:
                    return false;
            }
        }

        return true;
    }

    /// <summary>The caches of tokens handed to callers (not the federated token behind impersonation).</summary>
    private IEnumerable<RefreshAheadCache<AuthToken>> TokenCaches()
    {
        yield return _default;
        foreach (Lazy<RefreshAheadCache<AuthToken>> cache in _byScopes.Values.Concat(_idTokens.Values))
        {
            if (cache.IsValueCreated && !ReferenceEquals(cache.Value, _default))
            {
                yield return cache.Value;
            }
        }
    }
}
