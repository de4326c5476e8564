using CrossCloudAuth.Caching;

namespace CrossCloudAuth.Google;

/// <content>Per-hop status for health checks.</content>
public sealed partial class GoogleFederatedCredential
{
    /// <summary>Gets a snapshot of every cache of the credential: the federated token, the access token and each
    /// other scope set or ID token audience requested so far.</summary>
    internal IReadOnlyList<CredentialCacheStatus> GetStatuses()
    {
        List<RefreshAheadCache<AuthToken>> caches = [_federated];
        foreach (Lazy<RefreshAheadCache<AuthToken>> cache in _byScopes.Values.Concat(_idTokens.Values))
        {
            if (cache.IsValueCreated && !caches.Contains(cache.Value))
            {
                caches.Add(cache.Value);
            }
        }

        if (!caches.Contains(_default))
        {
            caches.Add(_default);
        }

        return caches.ConvertAll(c => c.GetStatus());
    }
}
