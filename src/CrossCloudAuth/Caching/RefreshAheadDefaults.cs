namespace CrossCloudAuth.Caching;

/// <summary>The documented defaults of <see cref="RefreshAheadCacheOptions"/>, in one place.</summary>
internal static class RefreshAheadDefaults
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);
    public const double RefreshLeadRatio = 0.25;
    public static readonly TimeSpan MinimumRefreshLead = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaximumRefreshLead = TimeSpan.FromMinutes(15);
    public const double JitterRatio = 0.2;
    public static readonly TimeSpan RetryBackoffInitial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RetryBackoffMaximum = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan RefreshTimeout = TimeSpan.FromMinutes(2);
    public const bool SpreadFirstRefresh = true;

    /// <summary>The longest <see cref="RefreshAheadCacheOptions.RefreshTimeout"/> accepted: a timer due time must stay
    /// far below the roughly 49 days that System.Threading timers accept.</summary>
    public static readonly TimeSpan MaximumRefreshTimeout = TimeSpan.FromDays(1);
}
