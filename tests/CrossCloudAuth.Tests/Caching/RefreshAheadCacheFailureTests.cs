using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheFailureTests
{
    private static CredentialRequestFailedException Upstream(string what = "throttled") =>
        new("test:gated", what, System.Net.HttpStatusCode.TooManyRequests, isTransient: true);

    [Fact]
    public async Task GetAsync_BackgroundRefreshFails_ServesOldTokenAndWaitsOutTheBackoff()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
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
            ValueTask<AuthToken> hit = cache.GetAsync();
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
        using RefreshAheadCache<AuthToken> cache = Create(source, time, options);
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
        using RefreshAheadCache<AuthToken> cache = Create(source, time, options);
        await cache.GetAsync().AsTask().HangGuard();

        CredentialRequestFailedException error = Upstream();
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
            ValueTask<AuthToken> call = cache.GetAsync();
            Assert.True(call.IsFaulted);
            AssertCopyOf(error, await Assert.ThrowsAsync<CredentialRequestFailedException>(() => call.AsTask()));
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
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        CredentialRequestFailedException error = Upstream();
        source.FailNext(error);

        AssertCopyOf(error, await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask()).HangGuard());
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
        using RefreshAheadCache<AuthToken> cache = Create(source, time, logger: logger);
        await cache.GetAsync().AsTask().HangGuard();

        CredentialRequestFailedException error = Upstream();
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
        using RefreshAheadCache<AuthToken> cache = Create(source, time, logger: new CapturingLogger { Throws = true });

        Assert.Equal("token-1", (await cache.GetAsync().AsTask().HangGuard()).Token);

        source.FailNext(Upstream());
        time.SetUtcNow(OneHourUsableUntil);
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask()).HangGuard();
        Assert.Null(cache.PendingRefresh);
    }

    [Fact]
    public async Task GetAsync_SourceReturnsNull_WaitersGetAClearError()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AuthToken> source = new((_, _) => ValueTask.FromResult<AuthToken>(null!));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask()).HangGuard();
        Assert.Equal("test:delegate", error.HopName);
        Assert.Contains("null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SourceThrowsSynchronously_WaitersGetTheError()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AuthToken> source = new((_, _) => throw new CredentialSourceUnavailableException("test:delegate", "not here"));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);

        await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => cache.GetAsync().AsTask()).HangGuard();
        Assert.Equal(1, cache.GetStatus().ConsecutiveFailures);
    }

    [Fact]
    public async Task GetAsync_ManyReadsDuringACachedFailure_EachGetsItsOwnExceptionOfConstantSize()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        CredentialRequestFailedException error = new("test:gated", "denied", System.Net.HttpStatusCode.Forbidden, "PERMISSION_DENIED", isTransient: false);
        source.FailNext(error);

        CredentialRequestFailedException first = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask()).HangGuard();
        int recordedLength = error.ToString().Length;
        HashSet<Exception> seen = new(ReferenceEqualityComparer.Instance) { first };
        List<int> lengths = [];
        for (int i = 0; i < 4000; i++)
        {
            CredentialRequestFailedException thrown = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask());
            AssertCopyOf(error, thrown);
            Assert.True(seen.Add(thrown), "every caller gets an exception object of its own");
            lengths.Add(thrown.ToString().Length);
        }

        // Every read from the same call site gets an exception of the same size, the 4,000th as the first, and the
        // recorded failure (the inner exception of every copy) never grows.
        Assert.Single(lengths.Distinct());
        Assert.InRange(lengths[0], 1, 4 * recordedLength);
        Assert.Equal(recordedLength, error.ToString().Length);
        Assert.Same(error, cache.GetStatus().LastError);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GetAsync_ManyWaitersOfAFailingRefresh_EachGetsItsOwnCopyWithTheSameTypeHopCodeAndStatus()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1), open: false);
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        CredentialRequestFailedException error = Upstream();
        source.FailNext(error);

        Task<AuthToken>[] waiters = Enumerable.Range(0, 100).Select(_ => cache.GetAsync().AsTask()).ToArray();
        await source.WhenCallStarted(1).HangGuard();
        source.Open();

        HashSet<Exception> seen = new(ReferenceEqualityComparer.Instance);
        foreach (Task<AuthToken> waiter in waiters)
        {
            CredentialRequestFailedException thrown = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => waiter).HangGuard();
            AssertCopyOf(error, thrown);
            Assert.True(seen.Add(thrown));
        }

        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GetAsync_CachedUnavailableAndConfigurationErrors_KeepTheirTypeAndHop()
    {
        FakeTimeProvider time = new(Start);
        Exception[] errors =
        [
            new CredentialSourceUnavailableException("test:delegate", "no token file"),
            new CredentialConfigurationException("test:delegate", "bad field"),
        ];
        foreach (Exception error in errors)
        {
            DelegateCredentialSource<AuthToken> source = new((_, _) => throw error);
            using RefreshAheadCache<AuthToken> cache = Create(source, time);

            Exception waited = await Assert.ThrowsAnyAsync<CrossCloudAuthException>(() => cache.GetAsync().AsTask()).HangGuard();
            Exception cached = await Assert.ThrowsAnyAsync<CrossCloudAuthException>(() => cache.GetAsync().AsTask());

            foreach (Exception thrown in new[] { waited, cached })
            {
                Assert.IsType(error.GetType(), thrown);
                Assert.NotSame(error, thrown);
                Assert.Same(error, thrown.InnerException);
                Assert.Equal(error.Message, thrown.Message);
                Assert.Equal("test:delegate", ((CrossCloudAuthException)thrown).HopName);
            }
        }
    }

    [Fact]
    public async Task GetAsync_SourceThrowsAForeignException_CallersGetATransientAuthenticationFailedNamingTheHopButNotTheMessage()
    {
        FakeTimeProvider time = new(Start);
        InvalidOperationException foreign = new("secret-in-message");
        DelegateCredentialSource<AuthToken> source = new((_, _) => throw foreign);
        using RefreshAheadCache<AuthToken> cache = Create(source, time);

        CredentialRequestFailedException thrown = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask()).HangGuard();

        Assert.True(thrown.IsTransient);
        Assert.Equal("test:delegate", thrown.HopName);
        Assert.Contains(typeof(InvalidOperationException).FullName!, thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-in-message", thrown.Message, StringComparison.Ordinal);
        Assert.Same(foreign, cache.GetStatus().LastError!.InnerException);
    }

    /// <summary>A caller's copy keeps everything callers test, and the recorded failure only as its inner exception.</summary>
    private static void AssertCopyOf(CredentialRequestFailedException recorded, CredentialRequestFailedException copy)
    {
        Assert.NotSame(recorded, copy);
        Assert.Same(recorded, copy.InnerException);
        Assert.Equal(recorded.Message, copy.Message);
        Assert.Equal(recorded.HopName, copy.HopName);
        Assert.Equal(recorded.StatusCode, copy.StatusCode);
        Assert.Equal(recorded.ErrorCode, copy.ErrorCode);
        Assert.Equal(recorded.IsTransient, copy.IsTransient);
    }
}
