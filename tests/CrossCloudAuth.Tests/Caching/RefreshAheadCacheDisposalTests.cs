using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheDisposalTests
{
    [Fact]
    public async Task Dispose_DuringARefresh_WaitersGetObjectDisposedAndTheUpstreamCallIsCanceled()
    {
        FakeTimeProvider time = new(Start);
        TaskCompletionSource<CancellationToken> upstreamToken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        DelegateCredentialSource<AuthToken> source = new(async (_, ct) =>
        {
            upstreamToken.SetResult(ct);
            await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
            throw new InvalidOperationException("unreachable");
        });
        RefreshAheadCache<AuthToken> cache = Create(source, time);

        Task<AuthToken>[] waiters = Enumerable.Range(0, 8).Select(_ => cache.GetAsync().AsTask()).ToArray();
        CancellationToken token = await upstreamToken.Task.HangGuard();
        cache.Dispose();

        foreach (Task<AuthToken> waiter in waiters)
        {
            await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter).HangGuard();
        }

        Assert.True(token.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => cache.GetAsync());
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task Dispose_SourceIgnoresCancellation_WaitersAreReleasedAtOnceAndTheLateResultIsDropped()
    {
        FakeTimeProvider time = new(Start);
        TaskCompletionSource<AuthToken> never = new(TaskCreationOptions.RunContinuationsAsynchronously);
        DelegateCredentialSource<AuthToken> source = new((_, _) => new ValueTask<AuthToken>(never.Task));
        RefreshAheadCache<AuthToken> cache = Create(source, time);

        Task<AuthToken> waiter = cache.GetAsync().AsTask();
        Task pending = Assert.IsAssignableFrom<Task>(cache.PendingRefresh);
        cache.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter).HangGuard();

        never.SetResult(new AuthToken("late", time.GetUtcNow() + TimeSpan.FromHours(1)));
        await pending.ContinueWith(_ => { }, TaskScheduler.Default).HangGuard();
        Assert.Equal(CredentialCacheState.Empty, cache.GetStatus().State);
        Assert.Throws<ObjectDisposedException>(() => cache.GetAsync());
    }

    [Fact]
    public async Task Dispose_CalledTwice_DoesNothingTheSecondTime()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();

        cache.Dispose();
        cache.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cache.GetAsync());
        Assert.Equal(CredentialCacheState.Empty, cache.GetStatus().State);
        time.Advance(TimeSpan.FromHours(2)); // the stale timer is gone: nothing fires
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task Dispose_DoesNotDisposeTheSource()
    {
        FakeTimeProvider time = new(Start);
        DisposableSource source = new(time);
        RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();

        cache.Dispose();

        Assert.False(source.Disposed);
    }

    private sealed class DisposableSource(TimeProvider time) : ICredentialProvider<AuthToken>, IDisposable
    {
        public bool Disposed { get; private set; }

        public string HopName => "test:disposable";

        public ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new AuthToken("t", time.GetUtcNow() + TimeSpan.FromHours(1)));

        public void Dispose() => Disposed = true;
    }
}
