using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheFailureTests
{
    private static AuthenticationFailedException Upstream(string what = "throttled") =>
        new("test:gated", what, System.Net.HttpStatusCode.TooManyRequests, isTransient: true);

    [Fact]
    public async Task GetAsync_BackgroundRefreshFails_ServesOldTokenAndWaitsOutTheBackoff()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AccessToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();

        source.FailNext(Upstream());
        time.SetUtcNow(OneHourRefreshAt);
        Assert.Equal("token-1", cache.GetAsync().Result.Token);
        await cache.SettleAsync();
        Assert.Equal(2, source.Calls);

        // Backoff after the first failure is RetryBackoffInitial (1 s) with no jitter: no upstream call before it.
        for (int i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(99));
            ValueTask<AccessToken> hit = cache.GetAsync();
            Assert.True(hit.IsCompletedSuccessfully);
            Assert.Equal("token-1", hit.Result.Token);
            Assert.Null(cache.PendingRefresh);
        }

        Assert.Equal(2, source.Calls);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal("token-1", cache.GetAsync().Result.Token);
        await cache.SettleAsync();

        Assert.Equal(3, source.Calls);
        Assert.Equal("token-3", cache.GetAsync().Result.Token);
    }

    [Fact]
    public async Task GetAsync_RepeatedBackgroundFailures_BackOffExponentiallyUpToTheMaximum()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        RefreshAheadCacheOptions options = new() { RetryBackoffInitial = TimeSpan.FromSeconds(1), RetryBackoffMaximum = TimeSpan.FromSeconds(4) };
        using RefreshAheadCache<AccessToken> cache = Create(source, time, options);
        await cache.GetAsync().AsTask().HangGuard();
        time.SetUtcNow(OneHourRefreshAt);

        int[] expectedWaits = [1, 2, 4, 4];
        foreach (int wait in expectedWaits)
        {
            source.FailNext(Upstream());
            int before = source.Calls;
            _ = cache.GetAsync();
            await cache.SettleAsync();
            Assert.Equal(before + 1, source.Calls);

            time.Advance(TimeSpan.FromSeconds(wait) - TimeSpan.FromTicks(1));
            _ = cache.GetAsync();
            Assert.Null(cache.PendingRefresh);
            Assert.Equal(before + 1, source.Calls);
            time.Advance(TimeSpan.FromTicks(1));
        }

        Assert.Equal(4, cache.GetStatus().ConsecutiveFailures);
    }

    [Fact]
    public async Task GetAsync_RefreshKeepsFailingUntilNothingIsUsable_SurfacesTheErrorWithoutCallingUpstream()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        RefreshAheadCacheOptions options = new() { RetryBackoffInitial = TimeSpan.FromMinutes(30), RetryBackoffMaximum = TimeSpan.FromMinutes(30) };
        using RefreshAheadCache<AccessToken> cache = Create(source, time, options);
        await cache.GetAsync().AsTask().HangGuard();

        AuthenticationFailedException error = Upstream();
        source.FailNext(error);
        time.SetUtcNow(OneHourRefreshAt);
        _ = cache.GetAsync();
        await cache.SettleAsync();

        // Still usable: the old token. Past usable-until but inside the backoff: the error at once, no upstream call.
        time.SetUtcNow(OneHourUsableUntil - TimeSpan.FromTicks(1));
        Assert.Equal("token-1", cache.GetAsync().Result.Token);
        time.SetUtcNow(OneHourUsableUntil);
        for (int i = 0; i < 100; i++)
        {
            ValueTask<AccessToken> call = cache.GetAsync();
            Assert.True(call.IsFaulted);
            Assert.Same(error, await Assert.ThrowsAsync<AuthenticationFailedException>(() => call.AsTask()));
        }

        Assert.Equal(2, source.Calls);

        // Backoff over: the next caller waits for a new attempt, which succeeds.
        time.SetUtcNow(OneHourRefreshAt + TimeSpan.FromMinutes(30));
        Assert.Equal("token-3", (await cache.GetAsync().AsTask().HangGuard()).Token);
        Assert.Equal(3, source.Calls);
    }

    [Fact]
    public async Task GetAsync_FirstFetchFails_ErrorIsCachedForTheBackoffThenRetried()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AccessToken> cache = Create(source, time);
        AuthenticationFailedException error = Upstream();
        source.FailNext(error);

        Assert.Same(error, await Assert.ThrowsAsync<AuthenticationFailedException>(() => cache.GetAsync().AsTask()).HangGuard());
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(cache.GetAsync().IsFaulted);
        }

        Assert.Equal(1, source.Calls);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("token-2", (await cache.GetAsync().AsTask().HangGuard()).Token);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetAsync_BackgroundRefreshFails_FaultIsObservedAndLoggedAsWarning()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        CapturingLogger logger = new();
        using RefreshAheadCache<AccessToken> cache = Create(source, time, logger: logger);
        await cache.GetAsync().AsTask().HangGuard();

        AuthenticationFailedException error = Upstream();
        source.FailNext(error);
        time.SetUtcNow(OneHourRefreshAt);
        _ = cache.GetAsync();
        Task pending = Assert.IsAssignableFrom<Task>(cache.PendingRefresh);
        await cache.SettleAsync();

        // Nobody awaited the background refresh: its fault was observed by the cache itself, and logged.
        Assert.True(pending.IsFaulted);
        CapturingLogger.LogEntry warning = await logger.FirstWarning.HangGuard();
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(3, warning.EventId.Id);
        Assert.Same(error, warning.Exception);
        Assert.Contains("test:gated", warning.Message, StringComparison.Ordinal);
        Assert.Contains("still serving the cached credential: True", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", string.Join('\n', logger.Entries.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_LoggerThrows_RefreshStillCompletesForItsWaiters()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AccessToken> cache = Create(source, time, logger: new CapturingLogger { Throws = true });

        Assert.Equal("token-1", (await cache.GetAsync().AsTask().HangGuard()).Token);

        source.FailNext(Upstream());
        time.SetUtcNow(OneHourUsableUntil);
        await Assert.ThrowsAsync<AuthenticationFailedException>(() => cache.GetAsync().AsTask()).HangGuard();
        Assert.Null(cache.PendingRefresh);
    }

    [Fact]
    public async Task GetAsync_SourceReturnsNull_WaitersGetAClearError()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AccessToken> source = new((_, _) => ValueTask.FromResult<AccessToken>(null!));
        using RefreshAheadCache<AccessToken> cache = Create(source, time);

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync().AsTask()).HangGuard();
        Assert.Contains("test:delegate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SourceThrowsSynchronously_WaitersGetTheError()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AccessToken> source = new((_, _) => throw new CredentialUnavailableException("test:delegate", "not here"));
        using RefreshAheadCache<AccessToken> cache = Create(source, time);

        await Assert.ThrowsAsync<CredentialUnavailableException>(() => cache.GetAsync().AsTask()).HangGuard();
        Assert.Equal(1, cache.GetStatus().ConsecutiveFailures);
    }
}
