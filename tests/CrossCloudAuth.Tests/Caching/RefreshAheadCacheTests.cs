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
        using RefreshAheadCache<AccessToken> cache = new(source, timeProvider: time);

        Task<AccessToken>[] waiters = Enumerable.Range(0, callers)
            .Select(_ => Task.Run(async () => await cache.GetAsync()))
            .ToArray();
        await source.WhenCallStarted(1).HangGuard();
        source.Open();
        AccessToken[] tokens = await Task.WhenAll(waiters).HangGuard();

        Assert.Equal(1, source.Calls);
        Assert.All(tokens, token => Assert.Equal("token-1", token.Token));
    }

    [Fact]
    public async Task GetAsync_FreshEntry_CompletesSynchronouslyWithoutUpstreamCall()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AccessToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();

        time.Advance(TimeSpan.FromMinutes(43));
        for (int i = 0; i < 5000; i++)
        {
            ValueTask<AccessToken> hit = cache.GetAsync();
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
        using RefreshAheadCache<AccessToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        source.Close();

        time.SetUtcNow(OneHourRefreshAt);
        ValueTask<AccessToken>[] hits = await Task.WhenAll(Enumerable.Range(0, callers)
            .Select(_ => Task.Run(() => cache.GetAsync()))).HangGuard();

        Assert.All(hits, hit => Assert.True(hit.IsCompletedSuccessfully));
        Assert.All(hits, hit => Assert.Equal("token-1", hit.Result.Token));
        Task pending = Assert.IsAssignableFrom<Task>(cache.PendingRefresh);
        await source.WhenCallStarted(2).HangGuard();
        Assert.Equal(2, source.Calls);

        source.Open();
        await pending.HangGuard();
        ValueTask<AccessToken> after = cache.GetAsync();
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
        using RefreshAheadCache<AccessToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        source.Close();

        time.SetUtcNow(OneHourUsableUntil);
        Task<AccessToken>[] waiters = Enumerable.Range(0, callers)
            .Select(_ => Task.Run(async () => await cache.GetAsync()))
            .ToArray();
        await source.WhenCallStarted(2).HangGuard();
        Assert.DoesNotContain(waiters, waiter => waiter.IsCompleted);

        source.Open();
        AccessToken[] tokens = await Task.WhenAll(waiters).HangGuard();
        Assert.All(tokens, token => Assert.Equal("token-2", token.Token));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetAsync_ExpiredAndRefreshFails_WaitersGetTheUpstreamError()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AccessToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        source.Close();
        AuthenticationFailedException upstream = new("test:gated", "denied", System.Net.HttpStatusCode.Forbidden);
        source.FailNext(upstream);

        time.SetUtcNow(OneHourUsableUntil + TimeSpan.FromSeconds(1));
        Task<AccessToken>[] waiters = Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await cache.GetAsync())).ToArray();
        await source.WhenCallStarted(2).HangGuard();
        source.Open();

        foreach (Task<AccessToken> waiter in waiters)
        {
            AuthenticationFailedException thrown = await Assert.ThrowsAsync<AuthenticationFailedException>(() => waiter).HangGuard();
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
        using RefreshAheadCache<AccessToken> cache = Create(source, time);
        using CancellationTokenSource impatient = new();

        Task<AccessToken> canceled = cache.GetAsync(impatient.Token).AsTask();
        Task<AccessToken> patient = cache.GetAsync().AsTask();
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
        using RefreshAheadCache<AccessToken> cache = Create(source, time);

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
        using RefreshAheadCache<AccessToken> cache = Create(source, time);

        ValueTask<AccessToken> pending;
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
}
