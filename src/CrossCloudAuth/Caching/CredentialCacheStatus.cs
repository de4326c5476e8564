namespace CrossCloudAuth.Caching;

/// <summary>
/// A snapshot of a cache's state for health checks and diagnostics. Contains no secret.
/// </summary>
/// <param name="HopName">The hop the cache fronts.</param>
/// <param name="State">Where the cached credential stands now.</param>
/// <param name="ExpiresOn">When the cached credential expires, if there is one.</param>
/// <param name="RefreshAt">When the cache starts refreshing it in the background.</param>
/// <param name="UsableUntil">When callers stop getting it and wait for a new one.</param>
/// <param name="LastRefreshedAt">When the last refresh succeeded.</param>
/// <param name="LastError">The error of the last refresh if it failed (cleared by the next success).</param>
/// <param name="ConsecutiveFailures">How many refreshes in a row have failed.</param>
/// <param name="NextAttemptAt">The earliest instant of the next refresh attempt after a failure.</param>
public sealed record CredentialCacheStatus(
    string HopName,
    CredentialCacheState State,
    DateTimeOffset? ExpiresOn,
    DateTimeOffset? RefreshAt,
    DateTimeOffset? UsableUntil,
    DateTimeOffset? LastRefreshedAt,
    Exception? LastError,
    int ConsecutiveFailures,
    DateTimeOffset? NextAttemptAt)
{
    /// <summary>Gets a value indicating whether a caller would get a credential now without waiting.</summary>
    public bool HasUsableCredential => State is CredentialCacheState.Fresh or CredentialCacheState.Stale;
}
