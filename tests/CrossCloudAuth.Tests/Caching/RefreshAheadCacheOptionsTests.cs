using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheOptionsTests
{
    public static TheoryData<string, Action<RefreshAheadCacheOptions>> InvalidOptions => new()
    {
        { nameof(RefreshAheadCacheOptions.ClockSkew), o => o.ClockSkew = TimeSpan.FromSeconds(-1) },
        { nameof(RefreshAheadCacheOptions.RefreshLeadRatio), o => o.RefreshLeadRatio = -0.1 },
        { nameof(RefreshAheadCacheOptions.RefreshLeadRatio), o => o.RefreshLeadRatio = 1 },
        { nameof(RefreshAheadCacheOptions.RefreshLeadRatio), o => o.RefreshLeadRatio = double.NaN },
        { nameof(RefreshAheadCacheOptions.MinimumRefreshLead), o => o.MinimumRefreshLead = TimeSpan.FromSeconds(-1) },
        { nameof(RefreshAheadCacheOptions.MaximumRefreshLead), o => o.MaximumRefreshLead = TimeSpan.FromSeconds(30) },
        { nameof(RefreshAheadCacheOptions.JitterRatio), o => o.JitterRatio = -0.1 },
        { nameof(RefreshAheadCacheOptions.JitterRatio), o => o.JitterRatio = 1.5 },
        { nameof(RefreshAheadCacheOptions.JitterRatio), o => o.JitterRatio = double.NaN },
        { nameof(RefreshAheadCacheOptions.RetryBackoffInitial), o => o.RetryBackoffInitial = TimeSpan.Zero },
        { nameof(RefreshAheadCacheOptions.RetryBackoffMaximum), o => o.RetryBackoffMaximum = TimeSpan.FromMilliseconds(500) },
    };

    [Fact]
    public void Validate_Defaults_AreTheDocumentedOnesAndValid()
    {
        RefreshAheadCacheOptions options = new();

        options.Validate();
        Assert.Equal(TimeSpan.FromMinutes(1), options.ClockSkew);
        Assert.Equal(0.25, options.RefreshLeadRatio);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MinimumRefreshLead);
        Assert.Equal(TimeSpan.FromMinutes(15), options.MaximumRefreshLead);
        Assert.Equal(0.2, options.JitterRatio);
        Assert.Equal(TimeSpan.FromSeconds(1), options.RetryBackoffInitial);
        Assert.Equal(TimeSpan.FromMinutes(1), options.RetryBackoffMaximum);
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidOption_ThrowsNamingIt(string name, Action<RefreshAheadCacheOptions> spoil)
    {
        RefreshAheadCacheOptions options = new();
        spoil(options);
        FakeTimeProvider time = new(Start);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new RefreshAheadCache<AuthToken>(new GatedCredentialSource(time, TimeSpan.FromHours(1)), options, time));
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Constructor_NullSource_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new RefreshAheadCache<AuthToken>(null!));
    }

    [Fact]
    public async Task Constructor_OptionsChangedAfterwards_HaveNoEffect()
    {
        FakeTimeProvider time = new(Start);
        RefreshAheadCacheOptions options = new();
        using RefreshAheadCache<AuthToken> cache = Create(new GatedCredentialSource(time, TimeSpan.FromHours(1)), time, options);
        options.MaximumRefreshLead = TimeSpan.FromMinutes(30);

        await cache.GetAsync().AsTask().HangGuard();

        Assert.Equal(OneHourRefreshAt, cache.GetStatus().RefreshAt);
    }

    [Fact]
    public void Backoff_ExtremeOptionsAndAttempts_NeverOverflows()
    {
        RefreshAheadCacheOptions options = new() { RetryBackoffInitial = TimeSpan.FromDays(1), RetryBackoffMaximum = TimeSpan.MaxValue };
        RefreshSchedule schedule = new(options, () => 0);

        Assert.Equal(TimeSpan.FromDays(1), schedule.Backoff(1));
        Assert.Equal(TimeSpan.MaxValue, schedule.Backoff(int.MaxValue));
        Assert.Equal(DateTimeOffset.MaxValue, RefreshSchedule.AddSaturating(Start, schedule.Backoff(int.MaxValue)));
    }

    [Theory]
    [InlineData(0.0, 1000)]
    [InlineData(1.0, 800)] // jittered down by at most a fifth
    public void Backoff_JitterAtItsBounds_StaysWithinAFifthBelowTheExponentialDelay(double random, int expectedMilliseconds)
    {
        RefreshSchedule schedule = new(new RefreshAheadCacheOptions(), () => random);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), schedule.Backoff(1));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds * 8), schedule.Backoff(4));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds * 60), schedule.Backoff(40)); // capped at one minute
    }
}
