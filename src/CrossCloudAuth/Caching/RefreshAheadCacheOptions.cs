namespace CrossCloudAuth.Caching;

/// <summary>
/// How a <see cref="RefreshAheadCache{TCredential}"/> schedules refreshes. The defaults suit every
/// credential this library handles, from 15-minute EKS tokens to 12-hour AWS sessions.
/// </summary>
/// <remarks>
/// For a credential with lifetime <c>L</c> (its expiry minus the instant it arrived):
/// <list type="bullet">
/// <item><description><b>usable-until</b> = expiry − min(<see cref="ClockSkew"/>, L/4): past it, callers wait for a new credential.</description></item>
/// <item><description><b>refresh-at</b> = usable-until − lead − jitter, where lead = clamp(L × <see cref="RefreshLeadRatio"/>,
/// <see cref="MinimumRefreshLead"/>, <see cref="MaximumRefreshLead"/>), never more than half the usable lifetime, and
/// jitter is uniformly drawn from [0, lead × <see cref="JitterRatio"/>]. Past it, callers still get the cached credential
/// and one of them starts a background refresh.</description></item>
/// <item><description>An issuer's own refresh hint (<see cref="IExpiringCredential.RefreshOn"/>) replaces the computed refresh-at.</description></item>
/// <item><description>With <see cref="SpreadFirstRefresh"/>, the first credential a cache ever fetches is refreshed at an instant
/// drawn uniformly between its arrival and its computed refresh-at, so that a fleet started together spreads its refreshes
/// over a whole token lifetime once and for all.</description></item>
/// </list>
/// </remarks>
public sealed class RefreshAheadCacheOptions
{
    /// <summary>Gets or sets the margin kept before expiry for clock skew and request latency. Default: 1 minute
    /// (capped at a quarter of the credential's lifetime for very short-lived ones).</summary>
    public TimeSpan ClockSkew { get; set; } = RefreshAheadDefaults.ClockSkew;

    /// <summary>Gets or sets the share of the credential's lifetime by which refresh-at precedes usable-until. Default: 0.25.</summary>
    public double RefreshLeadRatio { get; set; } = RefreshAheadDefaults.RefreshLeadRatio;

    /// <summary>Gets or sets the smallest refresh lead. Default: 1 minute.</summary>
    public TimeSpan MinimumRefreshLead { get; set; } = RefreshAheadDefaults.MinimumRefreshLead;

    /// <summary>Gets or sets the largest refresh lead. Default: 15 minutes.</summary>
    public TimeSpan MaximumRefreshLead { get; set; } = RefreshAheadDefaults.MaximumRefreshLead;

    /// <summary>Gets or sets the largest random share of the lead added to it, so that a fleet started together
    /// does not refresh together. Default: 0.2.</summary>
    public double JitterRatio { get; set; } = RefreshAheadDefaults.JitterRatio;

    /// <summary>Gets or sets the wait before the first retry after a failed refresh. Default: 1 second.</summary>
    public TimeSpan RetryBackoffInitial { get; set; } = RefreshAheadDefaults.RetryBackoffInitial;

    /// <summary>Gets or sets the longest wait between retries of a failing refresh. Default: 1 minute.</summary>
    public TimeSpan RetryBackoffMaximum { get; set; } = RefreshAheadDefaults.RetryBackoffMaximum;

    /// <summary>Gets or sets how long one refresh may run. A refresh that has not completed by then counts as failed
    /// (a transient <see cref="CredentialRequestFailedException"/>): its waiters get that error, its upstream call is
    /// canceled, a new refresh may start after the usual backoff, and its result, should it arrive later, is discarded.
    /// Default: 2 minutes. Greater than zero and at most one day.</summary>
    public TimeSpan RefreshTimeout { get; set; } = RefreshAheadDefaults.RefreshTimeout;

    /// <summary>Gets or sets a value indicating whether the first credential a cache fetches is refreshed at a random
    /// instant of its life (uniformly between its arrival and its computed refresh-at) rather than near its end.
    /// Processes started together then refresh at spread-out instants from their second credential on, at the cost of
    /// at most one extra upstream call per cache, once. Default: <see langword="true"/>.</summary>
    public bool SpreadFirstRefresh { get; set; } = RefreshAheadDefaults.SpreadFirstRefresh;

    /// <summary>Checks the options and throws when they cannot work together.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ClockSkew, TimeSpan.Zero, nameof(ClockSkew));
        if (!(RefreshLeadRatio is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RefreshLeadRatio), RefreshLeadRatio, "RefreshLeadRatio must be at least 0 and less than 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumRefreshLead, TimeSpan.Zero, nameof(MinimumRefreshLead));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaximumRefreshLead, MinimumRefreshLead, nameof(MaximumRefreshLead));
        if (!(JitterRatio is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(JitterRatio), JitterRatio, "JitterRatio must be between 0 and 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryBackoffInitial, TimeSpan.Zero, nameof(RetryBackoffInitial));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBackoffMaximum, RetryBackoffInitial, nameof(RetryBackoffMaximum));
        if (RefreshTimeout <= TimeSpan.Zero || RefreshTimeout > RefreshAheadDefaults.MaximumRefreshTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(RefreshTimeout), RefreshTimeout, "RefreshTimeout must be greater than zero and at most one day.");
        }
    }
}
