using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(1000)]
    public async Task GetAsync_ConcurrentCallersOnEmptyCache_CallUpstreamExactlyOnce(int callers)
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1), open: false);
        using RefreshAheadCache<AuthToken> cache = new(source, null, time);

        Task<AuthToken>[] waiters = Enumerable.Range(0, callers)
            .Select(_ => Task.Run(async () => await cache.GetAsync()))
            .ToArray();
        await source.WhenCallStarted(1).HangGuard();
        source.Open();
        AuthToken[] tokens = await Task.WhenAll(waiters).HangGuard();

        Assert.Equal(1, source.Calls);
        Assert.All(tokens, token => Assert.Equal("token-1", token.Token));
    }

    [Fact]
    public async Task GetAsync_FreshEntry_CompletesSynchronouslyWithoutUpstreamCall()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();

        time.Advance(TimeSpan.FromMinutes(43));
        for (int i = 0; i < 5000; i++)
        {
            ValueTask<AuthToken> hit = cache.GetAsync();
            Assert.True(hit.IsCompletedSuccessfully);
            Assert.Equal("token-1", hit.Result.Token);
        }

        Assert.Equal(1, source.Calls);
        Assert.Null(cache.PendingRefresh);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(1000)]
    public async Task GetAsync_StaleWindow_ReturnsOldTokenAtOnceWhileOneBackgroundRefreshRuns(int callers)
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        source.Close();

        time.SetUtcNow(OneHourRefreshAt);
        ValueTask<AuthToken>[] hits = await Task.WhenAll(Enumerable.Range(0, callers)
            .Select(_ => Task.Run(() => cache.GetAsync()))).HangGuard();

        Assert.All(hits, hit => Assert.True(hit.IsCompletedSuccessfully));
        Assert.All(hits, hit => Assert.Equal("token-1", hit.Result.Token));
        Task pending = Assert.IsAssignableFrom<Task>(cache.PendingRefresh);
        await source.WhenCallStarted(2).HangGuard();
        Assert.Equal(2, source.Calls);

        source.Open();
        await pending.HangGuard();
        ValueTask<AuthToken> after = cache.GetAsync();
        Assert.True(after.IsCompletedSuccessfully);
        Assert.Equal("token-2", after.Result.Token);
        Assert.Equal(2, source.Calls);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(1000)]
    public async Task GetAsync_Expired_WaitersGetTheNewTokenFromOneRefresh(int callers)
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        source.Close();

        time.SetUtcNow(OneHourUsableUntil);
        Task<AuthToken>[] waiters = Enumerable.Range(0, callers)
            .Select(_ => Task.Run(async () => await cache.GetAsync()))
            .ToArray();
        await source.WhenCallStarted(2).HangGuard();
        Assert.DoesNotContain(waiters, waiter => waiter.IsCompleted);

        source.Open();
        AuthToken[] tokens = await Task.WhenAll(waiters).HangGuard();
        Assert.All(tokens, token => Assert.Equal("token-2", token.Token));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetAsync_ExpiredAndRefreshFails_WaitersGetTheUpstreamError()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        source.Close();
        CredentialRequestFailedException upstream = new("test:gated", "denied", System.Net.HttpStatusCode.Forbidden);
        source.FailNext(upstream);

        time.SetUtcNow(OneHourUsableUntil + TimeSpan.FromSeconds(1));
        Task<AuthToken>[] waiters = Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await cache.GetAsync())).ToArray();
        await source.WhenCallStarted(2).HangGuard();
        source.Open();

        foreach (Task<AuthToken> waiter in waiters)
        {
            CredentialRequestFailedException thrown = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => waiter).HangGuard();
            Assert.Same(upstream, thrown.InnerException);
            Assert.Equal(upstream.StatusCode, thrown.StatusCode);
            Assert.Equal(upstream.Message, thrown.Message);
        }

        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetAsync_OneWaiterCanceled_SharedRefreshGoesOnAndOthersGetTheToken()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1), open: false);
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        using CancellationTokenSource impatient = new();

        Task<AuthToken> canceled = cache.GetAsync(impatient.Token).AsTask();
        Task<AuthToken> patient = cache.GetAsync().AsTask();
        await source.WhenCallStarted(1).HangGuard();
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled).HangGuard();
        Assert.False(patient.IsCompleted);
        Assert.NotNull(cache.PendingRefresh);

        source.Open();
        Assert.Equal("token-1", (await patient.HangGuard()).Token);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GetAsync_CallerAlreadyCanceled_StillStartsTheSharedRefresh()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1), open: false);
        using RefreshAheadCache<AuthToken> cache = Create(source, time);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetAsync(new CancellationToken(canceled: true)).AsTask()).HangGuard();
        await source.WhenCallStarted(1).HangGuard();
        source.Open();

        Assert.Equal("token-1", (await cache.GetAsync().AsTask().HangGuard()).Token);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GetAsync_ExecutionContextFlowSuppressed_StillRefreshes()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);

        ValueTask<AuthToken> pending;
        using (ExecutionContext.SuppressFlow())
        {
            pending = cache.GetAsync();
        }

        Assert.Equal("token-1", (await pending.AsTask().HangGuard()).Token);
    }

    [Fact]
    public async Task GetAsync_AwsCredentials_AreCachedLikeTokens()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AwsCredentials> source = new((call, _) =>
            ValueTask.FromResult(new AwsCredentials("ASIAEXAMPLE", "secret", "session", time.GetUtcNow() + TimeSpan.FromHours(1))));
        using RefreshAheadCache<AwsCredentials> cache = Create(source, time);

        AwsCredentials first = await cache.GetAsync().AsTask().HangGuard();
        Assert.Same(first, cache.GetAsync().Result);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GetAsync_RefreshSucceedsOrFails_ItsOutcomeIsLoggedBeforeAnyWaiterIsReleased()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        OrderProbeLogger logger = new();
        using RefreshAheadCache<AuthToken> cache = Create(source, time, logger: logger);
        logger.Cache = cache;

        await cache.GetAsync().AsTask().HangGuard();
        source.FailNext(new CredentialRequestFailedException("test:gated", "denied"));
        time.SetUtcNow(OneHourUsableUntil);
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask()).HangGuard();

        // Each outcome line was written while its refresh still held its waiters: a caller that awaited the
        // credential (or its error) always finds the line already there.
        Assert.Equal([(2, true), (3, true)], logger.Outcomes);
    }

    /// <summary>Records, for each outcome line (event 2 or 3), whether the refresh was still in flight when it was written.</summary>
    private sealed class OrderProbeLogger : Microsoft.Extensions.Logging.ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(int EventId, bool InFlight)> _outcomes = new();

        public RefreshAheadCache<AuthToken>? Cache { get; set; }

        public IReadOnlyList<(int EventId, bool InFlight)> Outcomes => _outcomes.ToArray();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id is 2 or 3)
            {
                _outcomes.Enqueue((eventId.Id, Cache?.PendingRefresh is { IsCompleted: false }));
            }
        }
    }
}
