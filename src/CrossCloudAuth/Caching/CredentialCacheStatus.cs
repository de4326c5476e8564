namespace CrossCloudAuth.Caching;

/// <summary>
/// A snapshot of a cache's state for health checks and diagnostics. Contains no secret. Built by the library only, so
/// that a new field can be added without breaking anyone.
/// </summary>
public sealed record CredentialCacheStatus
{
    internal CredentialCacheStatus(
        string hopName,
        CredentialCacheState state,
        DateTimeOffset? expiresOn,
        DateTimeOffset? refreshAt,
        DateTimeOffset? usableUntil,
        DateTimeOffset? lastRefreshedAt,
        Exception? lastError,
        int consecutiveFailures,
        DateTimeOffset? nextAttemptAt)
    {
        HopName = hopName;
        State = state;
        ExpiresOn = expiresOn;
        RefreshAt = refreshAt;
        UsableUntil = usableUntil;
        LastRefreshedAt = lastRefreshedAt;
        LastError = lastError;
        ConsecutiveFailures = consecutiveFailures;
        NextAttemptAt = nextAttemptAt;
    }

    /// <summary>Gets the hop the cache fronts.</summary>
    public string HopName { get; }

    /// <summary>Gets where the cached credential stands now.</summary>
    public CredentialCacheState State { get; }

    /// <summary>Gets when the cached credential expires, if there is one.</summary>
    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>Gets when the cache starts refreshing it in the background.</summary>
    public DateTimeOffset? RefreshAt { get; }

    /// <summary>Gets when callers stop getting it and wait for a new one.</summary>
    public DateTimeOffset? UsableUntil { get; }

    /// <summary>Gets when the last refresh succeeded.</summary>
    public DateTimeOffset? LastRefreshedAt { get; }

    /// <summary>Gets the error of the last refresh if it failed (cleared by the next success).</summary>
    public Exception? LastError { get; }

    /// <summary>Gets how many refreshes in a row have failed.</summary>
    public int ConsecutiveFailures { get; }

    /// <summary>Gets the earliest instant of the next refresh attempt after a failure.</summary>
    public DateTimeOffset? NextAttemptAt { get; }

    /// <summary>Gets a value indicating whether a caller would get a credential now without waiting.</summary>
    public bool HasUsableCredential => State is CredentialCacheState.Fresh or CredentialCacheState.Stale;
}
