using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheLifetimeTests
{
    [Theory]
    [InlineData(0.0, 44)] // lead 15 min, no jitter
    [InlineData(1.0, 41)] // lead 15 min + 20 % jitter = 18 min
    public async Task GetAsync_JitterAtItsBounds_PutsRefreshAtAtTheDocumentedInstant(double random, int refreshAtMinutes)
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time, new RefreshAheadCacheOptions { SpreadFirstRefresh = false }, random: random);
        await cache.GetAsync().AsTask().HangGuard();

        CredentialCacheStatus status = cache.GetStatus();
        Assert.Equal(Start + TimeSpan.FromMinutes(refreshAtMinutes), status.RefreshAt);
        Assert.Equal(OneHourUsableUntil, status.UsableUntil);
    }

    [Theory]
    [InlineData(4)] // very short: the lead is capped at half the usable lifetime
    [InlineData(90)]
    [InlineData(900)] // EKS token
    [InlineData(3600)]
    [InlineData(43200)] // 12-hour AWS session
    public void CreateEntry_ManyRandomDraws_RefreshAtStaysWithinLeadAndLeadPlusJitterCappedAtHalfTheUsableLifetime(int lifetimeSeconds)
    {
        RefreshAheadCacheOptions options = new();
        Random random = new(lifetimeSeconds);
        RefreshSchedule schedule = new(options, random.NextDouble);
        TimeSpan lifetime = TimeSpan.FromSeconds(lifetimeSeconds);
        TimeSpan skew = lifetime / 4 < options.ClockSkew ? lifetime / 4 : options.ClockSkew;
        TimeSpan usable = lifetime - skew;
        TimeSpan lead = Clamp(lifetime * options.RefreshLeadRatio, options.MinimumRefreshLead, options.MaximumRefreshLead);
        TimeSpan lowest = Min(lead, usable / 2);
        TimeSpan highest = Min(lead * (1 + options.JitterRatio), usable / 2);

        HashSet<DateTimeOffset> distinct = [];
        for (int i = 0; i < 10_000; i++)
        {
            AuthToken token = new("t", Start + lifetime);
            RefreshAheadCache<AuthToken>.Entry entry = schedule.CreateEntry(token, Start, "test:schedule");
            TimeSpan actualLead = entry.UsableUntil - entry.RefreshAt;
            Assert.Equal(Start + usable, entry.UsableUntil);
            Assert.InRange(actualLead, lowest, highest);
            distinct.Add(entry.RefreshAt);
        }

        // Spread out, unless the cap at half the usable lifetime pins every draw.
        Assert.True(lowest == highest ? distinct.Count == 1 : distinct.Count > 1000, $"{distinct.Count} distinct refresh-at instants");
    }

    [Fact]
    public async Task GetAsync_IssuerGivesRefreshOn_RefreshesFromThatInstant()
    {
        FakeTimeProvider time = new(Start);
        DateTimeOffset hint = Start + TimeSpan.FromMinutes(10);
        DelegateCredentialSource<AuthToken> source = new((call, _) =>
            ValueTask.FromResult(new AuthToken($"token-{call}", time.GetUtcNow() + TimeSpan.FromHours(1), refreshOn: call == 1 ? hint : null)));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        Assert.Equal(hint, cache.GetStatus().RefreshAt);

        time.SetUtcNow(hint - TimeSpan.FromTicks(1));
        Assert.Equal("token-1", cache.GetAsync().Result.Token);
        Assert.Equal(1, source.Calls);

        time.SetUtcNow(hint);
        Assert.Equal("token-1", cache.GetAsync().Result.Token);
        await cache.SettleAsync();
        Assert.Equal(2, source.Calls);
        Assert.Equal("token-2", cache.GetAsync().Result.Token);
    }

    [Fact]
    public async Task GetAsync_RefreshOnOutsideTheUsableLifetime_IsIgnored()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AuthToken> source = new((call, _) =>
            ValueTask.FromResult(new AuthToken("t", Start + TimeSpan.FromHours(1), refreshOn: Start + TimeSpan.FromHours(2))));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();

        Assert.Equal(OneHourRefreshAt, cache.GetStatus().RefreshAt);
    }

    [Fact]
    public async Task GetAsync_FourSecondToken_RefreshesAheadWithinItsShortLife()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromSeconds(4));
        using RefreshAheadCache<AuthToken> cache = Create(source, time, new RefreshAheadCacheOptions { SpreadFirstRefresh = false }, random: 1);
        await cache.GetAsync().AsTask().HangGuard();

        // Skew capped at a quarter of the lifetime (1 s), lead capped at half the usable 3 s.
        CredentialCacheStatus status = cache.GetStatus();
        Assert.Equal(Start + TimeSpan.FromSeconds(3), status.UsableUntil);
        Assert.Equal(Start + TimeSpan.FromSeconds(1.5), status.RefreshAt);

        for (int rotation = 2; rotation <= 5; rotation++)
        {
            time.SetUtcNow(cache.GetStatus().RefreshAt!.Value);
            Assert.True(cache.GetAsync().IsCompletedSuccessfully);
            await cache.SettleAsync();
            Assert.Equal($"token-{rotation}", cache.GetAsync().Result.Token);
        }

        Assert.Equal(5, source.Calls);
    }

    [Fact]
    public async Task GetAsync_SourceReturnsAnAlreadyExpiredCredential_FailsAndDoesNotHotLoop()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AuthToken> source = new((call, _) =>
            ValueTask.FromResult(new AuthToken("t", time.GetUtcNow() - TimeSpan.FromSeconds(1))));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask()).HangGuard();
        Assert.Contains("already expired", error.Message, StringComparison.Ordinal);
        Assert.Equal("test:delegate", error.HopName);
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(cache.GetAsync().IsFaulted);
        }

        Assert.Equal(1, source.Calls);
        Assert.Equal(CredentialCacheState.Empty, cache.GetStatus().State);
    }

    [Fact]
    public async Task GetAsync_NeverExpiringCredential_IsFetchedOnce()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AwsCredentials> source = new((_, _) =>
            ValueTask.FromResult(new AwsCredentials("AKIAEXAMPLE", "secret")));
        using RefreshAheadCache<AwsCredentials> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();

        for (int year = 0; year < 50; year++)
        {
            time.Advance(TimeSpan.FromDays(365));
            for (int i = 0; i < 2048; i++)
            {
                Assert.True(cache.GetAsync().IsCompletedSuccessfully);
            }
        }

        Assert.Equal(1, source.Calls);
        Assert.Null(cache.PendingRefresh);
        CredentialCacheStatus status = cache.GetStatus();
        Assert.Equal(CredentialCacheState.Fresh, status.State);
        Assert.Equal(DateTimeOffset.MaxValue, status.RefreshAt);
    }

    [Fact]
    public async Task GetAsync_CredentialLivingLongerThanATimerCanWait_IsRefreshedAtItsRefreshAt()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromDays(200));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        DateTimeOffset refreshAt = cache.GetStatus().RefreshAt!.Value;

        // The stale timer is re-armed a day at a time and never flips the entry early.
        time.SetUtcNow(refreshAt - TimeSpan.FromTicks(1));
        Assert.True(cache.GetAsync().IsCompletedSuccessfully);
        Assert.Null(cache.PendingRefresh);

        time.SetUtcNow(refreshAt);
        Assert.Equal("token-1", cache.GetAsync().Result.Token);
        await cache.SettleAsync();
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetAsync_StaleTimerNeverFires_AHitWithin1024CallsSeesTheClockAndRefreshes()
    {
        FakeTimeProvider clock = new(Start);
        NeverFiringTimeProvider time = new(clock);
        GatedCredentialSource source = new(clock, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        Assert.Equal(2, time.TimersCreated); // the stale timer, and the deadline of the refresh that fetched token-1

        for (int i = 0; i < 4096; i++)
        {
            Assert.True(cache.GetAsync().IsCompletedSuccessfully);
        }

        Assert.Equal(1, source.Calls);
        source.Close();
        clock.SetUtcNow(OneHourRefreshAt);
        int calls = 0;
        while (cache.PendingRefresh is null && calls < ClockCheck.Interval)
        {
            ValueTask<AuthToken> hit = cache.GetAsync();
            Assert.True(hit.IsCompletedSuccessfully);
            Assert.Equal("token-1", hit.Result.Token);
            calls++;
        }

        Assert.NotNull(cache.PendingRefresh);
        Assert.InRange(calls, 1, (int)ClockCheck.Interval);
        source.Open();
        await cache.SettleAsync();
        Assert.Equal(2, source.Calls);
        Assert.Equal("token-2", cache.GetAsync().Result.Token);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
