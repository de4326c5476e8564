namespace CrossCloudAuth.Caching;

/// <summary>Where a cached credential stands in its lifetime.</summary>
public enum CredentialCacheState
{
    /// <summary>No credential has been fetched yet (or the last one was discarded).</summary>
    Empty,

    /// <summary>Before refresh-at: callers get the cached credential and nothing else happens.</summary>
    Fresh,

    /// <summary>Between refresh-at and usable-until: callers get the cached credential while one background refresh runs.</summary>
    Stale,

    /// <summary>Past usable-until: callers wait for the one in-flight refresh.</summary>
    Expired,
}
