using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheInvalidationTests
{
    private static readonly TimeSpan OldEnough = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Invalidate_CachedToken_NextGetWaitsForANewOne()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        AuthToken rejected = await cache.GetAsync().AsTask().HangGuard();
        time.Advance(OldEnough);

        bool dropped = cache.Invalidate(rejected);
        CredentialCacheState state = cache.GetStatus().State;
        AuthToken next = await cache.GetAsync().AsTask().HangGuard();

        Assert.True(dropped);
        Assert.Equal(CredentialCacheState.Expired, state);
        Assert.Equal("token-2", next.Token);
        Assert.Equal(2, source.Calls);
        Assert.True(cache.GetAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Invalidate_TokenAlreadyReplaced_KeepsTheNewerOne()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        AuthToken first = await cache.GetAsync().AsTask().HangGuard();
        time.Advance(OldEnough);
        Assert.True(cache.Invalidate(first));
        AuthToken second = await cache.GetAsync().AsTask().HangGuard();
        time.Advance(OldEnough);

        bool result = cache.Invalidate(first);
        ValueTask<AuthToken> hit = cache.GetAsync();

        Assert.True(result);
        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Same(second, hit.Result);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task Invalidate_ATokenTheCacheNeverHeld_DoesNothing()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        AuthToken cached = await cache.GetAsync().AsTask().HangGuard();
        time.Advance(OldEnough);

        cache.Invalidate(new AuthToken("someone-elses", cached.ExpiresOn));

        Assert.True(cache.GetAsync().IsCompletedSuccessfully);
        Assert.Equal(1, source.Calls);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(64)]
    public async Task Invalidate_ConcurrentCallersReportTheSameToken_OneRefresh(int callers)
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        AuthToken rejected = await cache.GetAsync().AsTask().HangGuard();
        time.Advance(OldEnough);
        source.Close();

        // Every caller got a 401 for the same token: each reports it, then asks for the next token.
        Task<AuthToken>[] retries = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            Assert.True(cache.Invalidate(rejected));
            return await cache.GetAsync();
        })).ToArray();
        await source.WhenCallStarted(2).HangGuard();
        source.Open();
        AuthToken[] tokens = await Task.WhenAll(retries).HangGuard();

        Assert.Equal(2, source.Calls);
        Assert.All(tokens, t => Assert.Equal("token-2", t.Token));
    }

    [Fact]
    public async Task Invalidate_ServiceRejectsEveryToken_NoHotLoop()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        time.Advance(OldEnough);

        // 1,000 requests, each rejected, each reporting its token and asking for the next one.
        int retried = 0;
        for (int i = 0; i < 1000; i++)
        {
            AuthToken used = await cache.GetAsync().AsTask().HangGuard();
            if (cache.Invalidate(used))
            {
                retried++;
                await cache.GetAsync().AsTask().HangGuard();
            }
        }

        Assert.Equal(1, retried);
        Assert.Equal(2, source.Calls);

        // Once the token is old enough, one more forced refresh is allowed.
        time.Advance(TimeSpan.FromSeconds(30));
        AuthToken aged = await cache.GetAsync().AsTask().HangGuard();
        Assert.True(cache.Invalidate(aged));
        Assert.Equal("token-3", (await cache.GetAsync().AsTask().HangGuard()).Token);
    }

    [Fact]
    public async Task Invalidate_DuringABackgroundRefresh_ReadersWaitForThatRefresh()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        AuthToken rejected = await cache.GetAsync().AsTask().HangGuard();
        source.Close();
        time.SetUtcNow(OneHourRefreshAt);
        Assert.Same(rejected, await cache.GetAsync().AsTask().HangGuard()); // stale: starts the background refresh
        await source.WhenCallStarted(2).HangGuard();

        Assert.True(cache.Invalidate(rejected));
        Task<AuthToken> waiting = cache.GetAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        source.Open();

        Assert.Equal("token-2", (await waiting.HangGuard()).Token);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task Invalidate_AfterDispose_ReturnsFalse()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        RefreshAheadCache<AuthToken> cache = Create(source, time);
        AuthToken token = await cache.GetAsync().AsTask().HangGuard();
        cache.Dispose();

        Assert.False(cache.Invalidate(token));
        Assert.Throws<ArgumentNullException>(() => cache.Invalidate(null!));
    }
}
