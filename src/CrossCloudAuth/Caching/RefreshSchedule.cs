namespace CrossCloudAuth.Caching;

/// <summary>Computes refresh-at, usable-until and retry backoff from <see cref="RefreshAheadCacheOptions"/>.</summary>
internal sealed class RefreshSchedule
{
    private readonly TimeSpan _clockSkew;
    private readonly double _leadRatio;
    private readonly TimeSpan _minimumLead;
    private readonly TimeSpan _maximumLead;
    private readonly double _jitterRatio;
    private readonly TimeSpan _backoffInitial;
    private readonly TimeSpan _backoffMaximum;
    private readonly bool _spreadFirst;
    private readonly Func<double> _random;

    public RefreshSchedule(RefreshAheadCacheOptions options, Func<double> random)
    {
        _clockSkew = options.ClockSkew;
        _leadRatio = options.RefreshLeadRatio;
        _minimumLead = options.MinimumRefreshLead;
        _maximumLead = options.MaximumRefreshLead;
        _jitterRatio = options.JitterRatio;
        _backoffInitial = options.RetryBackoffInitial;
        _backoffMaximum = options.RetryBackoffMaximum;
        _spreadFirst = options.SpreadFirstRefresh;
        _random = random;
    }

    /// <summary>Computes the instants of a credential that arrived at <paramref name="now"/>.</summary>
    /// <param name="credential">The credential.</param>
    /// <param name="now">When it arrived.</param>
    /// <param name="hopName">The hop, for the error of an already expired credential.</param>
    /// <param name="first">Whether it is the first credential of its cache: with <see cref="RefreshAheadCacheOptions.SpreadFirstRefresh"/>,
    /// its refresh-at is drawn uniformly between <paramref name="now"/> and the computed refresh-at, so that the phases
    /// of a fleet started together spread over a whole refresh period and stay spread (see docs/reliability.md).</param>
    public RefreshAheadCache<TCredential>.Entry CreateEntry<TCredential>(TCredential credential, DateTimeOffset now, string hopName, bool first = false)
        where TCredential : class, IExpiringCredential
    {
        DateTimeOffset expiresOn = credential.ExpiresOn;
        if (expiresOn == DateTimeOffset.MaxValue)
        {
            return new RefreshAheadCache<TCredential>.Entry(credential, now, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, isFresh: true);
        }

        TimeSpan lifetime = expiresOn - now;
        if (lifetime <= TimeSpan.Zero)
        {
            throw new CredentialRequestFailedException(
                hopName,
                string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"The credential it returned had already expired (expires {expiresOn:O}, local clock {now:O}). If the local clock is right, the issuer is misconfigured; otherwise synchronize this host's clock (NTP)."),
                isTransient: true);
        }

        TimeSpan skew = Min(_clockSkew, lifetime / 4);
        DateTimeOffset usableUntil = expiresOn - skew;
        TimeSpan usable = usableUntil - now;

        // lead × (1 + jitter), capped at half the usable lifetime; computed in doubles so that no option value can
        // overflow a TimeSpan (the cap is always representable).
        TimeSpan lead = Clamp(lifetime * _leadRatio, _minimumLead, _maximumLead);
        double jitteredTicks = lead.Ticks * (1 + (_jitterRatio * _random()));
        long capTicks = usable.Ticks / 2;
        DateTimeOffset refreshAt = usableUntil - TimeSpan.FromTicks(jitteredTicks < capTicks ? (long)jitteredTicks : capTicks);

        if (credential.RefreshOn is { } hint && hint > now && hint < usableUntil)
        {
            refreshAt = hint;
        }
        else if (first && _spreadFirst)
        {
            // A draw of 0 keeps the computed instant, a draw of 1 refreshes at once.
            refreshAt -= TimeSpan.FromTicks((long)((refreshAt - now).Ticks * _random()));
        }

        return new RefreshAheadCache<TCredential>.Entry(credential, now, refreshAt, usableUntil, isFresh: true);
    }

    /// <summary>The wait after the <paramref name="attempts"/>-th consecutive failure: exponential, capped, and
    /// jittered downwards by up to a fifth so that a fleet failing together does not retry together.</summary>
    /// <remarks>Computed in doubles and capped before converting back, so that it cannot overflow whatever the options.</remarks>
    public TimeSpan Backoff(int attempts)
    {
        double ticks = _backoffInitial.Ticks * Math.Pow(2, Math.Min(attempts - 1, 62));
        ticks = Math.Min(ticks, _backoffMaximum.Ticks) * (1 - (0.2 * _random()));
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Adds without overflowing: an instant past <see cref="DateTimeOffset.MaxValue"/> is that value.</summary>
    public static DateTimeOffset AddSaturating(DateTimeOffset instant, TimeSpan delay) =>
        DateTimeOffset.MaxValue - instant <= delay ? DateTimeOffset.MaxValue : instant + delay;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
