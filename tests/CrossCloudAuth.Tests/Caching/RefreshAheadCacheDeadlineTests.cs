using System.Collections.Concurrent;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheDeadlineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task GetAsync_SourceNeverAnswers_WaitersGetATransientTimeoutAtTheDeadline()
    {
        FakeTimeProvider time = new(Start);
        ManualSource source = new();
        using RefreshAheadCache<AuthToken> cache = Create(source, time);

        Task<AuthToken> waiter = cache.GetAsync().AsTask();
        await source.WhenCalled(1).HangGuard();
        time.Advance(Deadline - TimeSpan.FromTicks(1));
        Assert.False(waiter.IsCompleted);
        Assert.NotNull(cache.PendingRefresh);

        time.Advance(TimeSpan.FromTicks(1));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => waiter).HangGuard();
        Assert.True(error.IsTransient);
        Assert.Equal("test:manual", error.HopName);
        Assert.Contains("120 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("RefreshTimeout", error.Message, StringComparison.Ordinal);
        Assert.Null(cache.PendingRefresh);
        CredentialCacheStatus status = cache.GetStatus();
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.Equal(Start + Deadline + TimeSpan.FromSeconds(1), status.NextAttemptAt);
    }

    [Fact]
    public async Task GetAsync_AfterAnAbandonedRefresh_StartsANewOneOnlyAfterTheBackoff()
    {
        FakeTimeProvider time = new(Start);
        ManualSource source = new();
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        Task<AuthToken> first = cache.GetAsync().AsTask();
        await source.WhenCalled(1).HangGuard();
        time.Advance(Deadline);
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => first).HangGuard();

        // Inside the backoff: the error at once, no new upstream call.
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask());
        Assert.Equal(1, source.Calls);

        time.Advance(TimeSpan.FromSeconds(1));
        Task<AuthToken> second = cache.GetAsync().AsTask();
        await source.WhenCalled(2).HangGuard();
        _ = source.Answer(2, new AuthToken("token-2", time.GetUtcNow() + TimeSpan.FromHours(1)));

        Assert.Equal("token-2", (await second.HangGuard()).Token);
        Assert.Equal(0, cache.GetStatus().ConsecutiveFailures);
    }

    [Fact]
    public async Task GetAsync_AbandonedRefreshAnswersLate_DoesNotOverwriteTheNewerCredential()
    {
        FakeTimeProvider time = new(Start);
        ManualSource source = new();
        CapturingLogger logger = new();
        using RefreshAheadCache<AuthToken> cache = Create(source, time, logger: logger);
        Task<AuthToken> first = cache.GetAsync().AsTask();
        await source.WhenCalled(1).HangGuard();
        time.Advance(Deadline);
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => first).HangGuard();
        time.Advance(TimeSpan.FromSeconds(1));
        Task<AuthToken> second = cache.GetAsync().AsTask();
        await source.WhenCalled(2).HangGuard();
        _ = source.Answer(2, new AuthToken("token-2", time.GetUtcNow() + TimeSpan.FromHours(1)));
        await second.HangGuard();

        // The first call finally answers, with a credential that would otherwise replace the newer one.
        Task late = source.Answer(1, new AuthToken("token-late", time.GetUtcNow() + TimeSpan.FromHours(2)));
        await late.HangGuard();
        await logger.WhenLogged(4).HangGuard();

        Assert.Equal("token-2", (await cache.GetAsync()).Token);
        Assert.Equal(Start + Deadline + TimeSpan.FromSeconds(1) + TimeSpan.FromMinutes(44), cache.GetStatus().RefreshAt);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task GetAsync_AbandonedRefreshFailsLate_FaultIsObservedAndNotRecorded()
    {
        FakeTimeProvider time = new(Start);
        ManualSource source = new();
        CapturingLogger logger = new();
        using RefreshAheadCache<AuthToken> cache = Create(source, time, logger: logger);
        Task<AuthToken> first = cache.GetAsync().AsTask();
        await source.WhenCalled(1).HangGuard();
        time.Advance(Deadline);
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => first).HangGuard();
        time.Advance(TimeSpan.FromSeconds(1));
        Task<AuthToken> second = cache.GetAsync().AsTask();
        await source.WhenCalled(2).HangGuard();
        _ = source.Answer(2, new AuthToken("token-2", time.GetUtcNow() + TimeSpan.FromHours(1)));
        await second.HangGuard();

        await source.Fail(1, new CredentialSourceUnavailableException("test:manual", "gone")).HangGuard();
        CapturingLogger.LogEntry discarded = await logger.WhenLogged(4).HangGuard();

        Assert.Contains("failed: True", discarded.Message, StringComparison.Ordinal);
        CredentialCacheStatus status = cache.GetStatus();
        Assert.Null(status.LastError);
        Assert.Equal(0, status.ConsecutiveFailures);
        Assert.Equal("token-2", (await cache.GetAsync()).Token);
    }

    [Fact]
    public async Task GetAsync_SourceHonoursCancellation_ItsTokenIsCanceledAtTheDeadline()
    {
        FakeTimeProvider time = new(Start);
        ManualSource source = new();
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        Task<AuthToken> waiter = cache.GetAsync().AsTask();
        await source.WhenCalled(1).HangGuard();
        CancellationToken token = source.TokenOf(1);
        Assert.False(token.IsCancellationRequested);

        time.Advance(Deadline);

        Assert.True(token.IsCancellationRequested);
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => waiter).HangGuard();
    }

    [Fact]
    public async Task GetAsync_BackgroundRefreshStuckWhileTheTokenIsStale_KeepsServingAndRetriesAfterTheDeadline()
    {
        FakeTimeProvider time = new(Start);
        ManualSource source = new();
        RefreshAheadCacheOptions options = new() { RefreshTimeout = TimeSpan.FromSeconds(30) };
        using RefreshAheadCache<AuthToken> cache = Create(source, time, options);
        Task<AuthToken> initial = cache.GetAsync().AsTask();
        await source.WhenCalled(1).HangGuard();
        _ = source.Answer(1, new AuthToken("token-1", Start + TimeSpan.FromHours(1)));
        await initial.HangGuard();

        time.SetUtcNow(OneHourRefreshAt);
        Assert.Equal("token-1", cache.GetAsync().Result.Token);
        await source.WhenCalled(2).HangGuard();

        // Stuck: without a deadline no refresh would ever start again. With it, the attempt fails at 30 s, the
        // stale token is still served, and the next read after the backoff starts a new refresh.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(cache.PendingRefresh);
        Assert.Equal(1, cache.GetStatus().ConsecutiveFailures);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("token-1", cache.GetAsync().Result.Token);
        await source.WhenCalled(3).HangGuard();
        _ = source.Answer(3, new AuthToken("token-3", time.GetUtcNow() + TimeSpan.FromHours(1)));
        await cache.SettleAsync();

        Assert.Equal("token-3", cache.GetAsync().Result.Token);
    }

    [Fact]
    public async Task Dispose_WhileARefreshIsStuck_TheLaterDeadlineChangesNothing()
    {
        FakeTimeProvider time = new(Start);
        ManualSource source = new();
        RefreshAheadCache<AuthToken> cache = Create(source, time);
        Task<AuthToken> waiter = cache.GetAsync().AsTask();
        await source.WhenCalled(1).HangGuard();

        cache.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter).HangGuard();
        time.Advance(Deadline);

        Assert.Equal(0, cache.GetStatus().ConsecutiveFailures);
        Assert.Equal(CredentialCacheState.Empty, cache.GetStatus().State);
    }

    /// <summary>A source whose every call waits until the test answers it, ignoring cancellation.</summary>
    private sealed class ManualSource : ICredentialProvider<AuthToken>
    {
        private readonly ConcurrentDictionary<int, Call> _calls = new();
        private int _count;

        public string HopName => "test:manual";

        public int Calls => Volatile.Read(ref _count);

        public Task WhenCalled(int call) => CallOf(call).Started.Task;

        public CancellationToken TokenOf(int call) => CallOf(call).Token;

        /// <summary>Answers a call; the returned task completes once the cache has taken the answer.</summary>
        public Task Answer(int call, AuthToken token)
        {
            Call c = CallOf(call);
            c.Answer.SetResult(token);
            return c.Returned.Task;
        }

        /// <inheritdoc cref="Answer"/>
        public Task Fail(int call, Exception error)
        {
            Call c = CallOf(call);
            c.Answer.SetException(error);
            return c.Returned.Task;
        }

        public async ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
        {
            Call call = CallOf(Interlocked.Increment(ref _count));
            call.Token = cancellationToken;
            call.Started.SetResult();
            try
            {
                return await call.Answer.Task; // Deliberately ignores the cancellation.
            }
            finally
            {
                call.Returned.SetResult();
            }
        }

        private Call CallOf(int call) => _calls.GetOrAdd(call, static _ => new Call());

        private sealed class Call
        {
            public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource<AuthToken> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Returned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public CancellationToken Token { get; set; }
        }
    }
}
