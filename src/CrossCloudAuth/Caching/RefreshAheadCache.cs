using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Caching;

/// <summary>
/// A lock-free refresh-ahead cache in front of one credential hop. Every outgoing request of an application
/// reads it, so a hit is one volatile read of an immutable entry plus one flag test: no lock, no allocation,
/// no clock read, synchronous completion.
/// </summary>
/// <typeparam name="TCredential">The cached credential: a Google token, AWS credentials, an EKS token.</typeparam>
/// <remarks>
/// <para>States (see <see cref="RefreshAheadCacheOptions"/> for how the instants are computed):
/// <b>fresh</b> before refresh-at, the cached credential is returned;
/// <b>stale</b> between refresh-at and usable-until, the cached credential is returned and at most one
/// background refresh starts; <b>expired</b> past usable-until, every caller awaits the one in-flight refresh.</para>
/// <para>The switch from fresh to stale is made by a <see cref="TimeProvider"/> timer at refresh-at, so the hit
/// needs no clock. Because a timer can run late (a starved thread pool, a suspended host), every thread also
/// checks the clock once in 1,024 hits.</para>
/// <para>Exactly one upstream call runs per refresh, whatever the number of callers: the refresh is won with
/// <see cref="Interlocked.CompareExchange{T}(ref T, T, T)"/>. It runs with the cache's own cancellation, so a
/// caller's cancellation only ends that caller's wait. A failed refresh keeps serving a still-usable credential
/// and is retried with jittered exponential backoff; with nothing usable, callers get the error, and until
/// the backoff has passed later callers get it at once instead of calling upstream again.</para>
/// <para>This type is thread-safe. It does not own or dispose its source.</para>
/// </remarks>
public sealed partial class RefreshAheadCache<TCredential> : ICredentialProvider<TCredential>, IDisposable
    where TCredential : class, IExpiringCredential
{
    // Hits per thread between two clock reads; a power of two so the test is a mask.
    private const uint ClockCheckInterval = 1024;

    [ThreadStatic]
    private static uint s_hitsSinceClockCheck;

    private readonly ICredentialProvider<TCredential> _source;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposal = new();
    private readonly RefreshSchedule _schedule;

    // Written with Volatile/Interlocked only.
    private Entry? _entry;
    private Task<Entry>? _refresh;
    private Failure? _failure;
    private ITimer? _staleTimer;
    private DateTimeOffset? _lastRefreshedAt;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="RefreshAheadCache{TCredential}"/> class.</summary>
    /// <param name="source">The hop whose credentials to cache.</param>
    /// <param name="options">Refresh scheduling; the defaults when <see langword="null"/>. Copied: later changes have no effect.</param>
    /// <param name="timeProvider">The clock and timers; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">Receives refresh events; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RefreshAheadCache(
        ICredentialProvider<TCredential> source,
        RefreshAheadCacheOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
        : this(source, options, timeProvider, logger, random: null)
    {
    }

    internal RefreshAheadCache(
        ICredentialProvider<TCredential> source,
        RefreshAheadCacheOptions? options,
        TimeProvider? timeProvider,
        ILogger? logger,
        Func<double>? random)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new RefreshAheadCacheOptions();
        options.Validate();

        _source = source;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _schedule = new RefreshSchedule(options, random ?? Random.Shared.NextDouble);
    }

    /// <inheritdoc />
    public string HopName => _source.HopName;

    /// <summary>Gets a credential: the cached one while it is usable, otherwise the result of the one shared refresh.</summary>
    /// <param name="cancellationToken">Ends this caller's wait; never cancels the shared refresh.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="CrossCloudAuthException">The refresh failed and no usable credential is cached.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public ValueTask<TCredential> GetAsync(CancellationToken cancellationToken = default)
    {
        Entry? entry = Volatile.Read(ref _entry);
        if (entry is not null && entry.IsFresh && (++s_hitsSinceClockCheck & (ClockCheckInterval - 1)) != 0)
        {
            return new ValueTask<TCredential>(entry.Value);
        }

        return GetSlow(cancellationToken);
    }

    /// <summary>Gets a snapshot of the cache's state, for health checks. Reads the clock; not for the hot path.</summary>
    /// <returns>The snapshot.</returns>
    public CredentialCacheStatus GetStatus()
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        Entry? entry = Volatile.Read(ref _entry);
        Failure? failure = Volatile.Read(ref _failure);
        CredentialCacheState state = entry is null ? CredentialCacheState.Empty
            : now < entry.RefreshAt ? CredentialCacheState.Fresh
            : now < entry.UsableUntil ? CredentialCacheState.Stale
            : CredentialCacheState.Expired;
        return new CredentialCacheStatus(
            HopName,
            state,
            entry?.Value.ExpiresOn,
            entry?.RefreshAt,
            entry?.UsableUntil,
            _lastRefreshedAt,
            failure?.Error,
            failure?.Attempts ?? 0,
            failure?.NextAttemptAt);
    }

    /// <summary>Stops the cache: cancels an in-flight refresh (its waiters get <see cref="ObjectDisposedException"/>),
    /// stops the timer and drops the cached credential. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _entry, null);
        Interlocked.Exchange(ref _staleTimer, null)?.Dispose();
        _disposal.Cancel();
        _disposal.Dispose();
    }

    private ValueTask<TCredential> GetSlow(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        s_hitsSinceClockCheck = 1;

        DateTimeOffset now = _timeProvider.GetUtcNow();
        Entry? entry = Volatile.Read(ref _entry);
        if (entry is not null && now < entry.UsableUntil)
        {
            if (now >= entry.RefreshAt)
            {
                // Stale, or a timer that has not fired yet: flip the state ourselves, then refresh in the background.
                MarkStale(entry);
                if (MayAttempt(now))
                {
                    _ = StartRefresh(RefreshReason.Stale);
                }
            }

            return new ValueTask<TCredential>(entry.Value);
        }

        // Nothing usable: everybody waits for the one refresh. Read the refresh before the failure: a refresh
        // records its failure before it clears itself, so a cleared refresh means the failure is visible.
        Task<Entry>? refresh = Volatile.Read(ref _refresh);
        if (refresh is null)
        {
            Failure? failure = Volatile.Read(ref _failure);
            if (failure is not null && now < failure.NextAttemptAt)
            {
                return ValueTask.FromException<TCredential>(failure.Error);
            }

            refresh = StartRefresh(entry is null ? RefreshReason.Initial : RefreshReason.Expired);
        }

        return WaitAsync(refresh, cancellationToken);
    }

    private static async ValueTask<TCredential> WaitAsync(Task<Entry> refresh, CancellationToken cancellationToken)
    {
        Entry entry = await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        return entry.Value;
    }

    private bool MayAttempt(DateTimeOffset now)
    {
        if (Volatile.Read(ref _refresh) is not null)
        {
            return false;
        }

        Failure? failure = Volatile.Read(ref _failure);
        return failure is null || now >= failure.NextAttemptAt;
    }

    private Task<Entry> StartRefresh(RefreshReason reason)
    {
        TaskCompletionSource<Entry> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Entry>? running = Interlocked.CompareExchange(ref _refresh, completion.Task, null);
        if (running is not null)
        {
            return running;
        }

        // We won. A refresh that finished between our caller's read and our exchange may already have published
        // a fresh entry: hand that out instead of calling upstream a second time.
        Entry? current = Volatile.Read(ref _entry);
        if (current is not null && current.IsFresh && _timeProvider.GetUtcNow() < current.RefreshAt)
        {
            Volatile.Write(ref _refresh, null);
            completion.SetResult(current);
            return completion.Task;
        }

        // Run on the thread pool without the caller's execution context: the refresh belongs to the cache, not to
        // whichever request happened to trigger it (its activity, its logging scope, its cancellation).
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => RefreshAsync(completion, reason));
        }

        return completion.Task;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Every refresh fault is recorded, logged and handed to the waiters; none may escape to the thread pool.")]
    private async Task RefreshAsync(TaskCompletionSource<Entry> completion, RefreshReason reason)
    {
        long started = _timeProvider.GetTimestamp();
        Log.RefreshStarted(_logger, HopName, reason);
        try
        {
            CancellationToken disposal = _disposal.Token;
            TCredential credential = await _source.GetAsync(disposal).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The credential source '{HopName}' returned null.");

            DateTimeOffset now = _timeProvider.GetUtcNow();
            Entry entry = _schedule.CreateEntry(credential, now, HopName);
            Publish(entry, now);
            TimeSpan elapsed = _timeProvider.GetElapsedTime(started);
            Log.RefreshSucceeded(_logger, HopName, elapsed.TotalMilliseconds, credential.ExpiresOn, entry.RefreshAt);

            Volatile.Write(ref _refresh, null);
            completion.SetResult(entry);
        }
        catch (Exception error)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                error = new ObjectDisposedException(GetType().Name, $"The credential cache for '{HopName}' was disposed while refreshing.");
            }

            Failure? previous = Volatile.Read(ref _failure);
            int attempts = (previous?.Attempts ?? 0) + 1;
            DateTimeOffset nextAttempt = _timeProvider.GetUtcNow() + _schedule.Backoff(attempts);
            Volatile.Write(ref _failure, new Failure(error, attempts, nextAttempt));

            Entry? cached = Volatile.Read(ref _entry);
            bool servingCached = cached is not null && _timeProvider.GetUtcNow() < cached.UsableUntil;
            TimeSpan elapsed = _timeProvider.GetElapsedTime(started);
            Log.RefreshFailed(_logger, HopName, elapsed.TotalMilliseconds, attempts, nextAttempt, servingCached, error);

            Volatile.Write(ref _refresh, null);
            completion.SetException(error);

            // A background refresh may have no waiter: observe the fault so it never surfaces as unobserved.
            _ = completion.Task.Exception;
        }
    }

    private void Publish(Entry entry, DateTimeOffset now)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Volatile.Write(ref _entry, entry);
        Volatile.Write(ref _failure, null);
        _lastRefreshedAt = now;

        ITimer? timer = null;
        if (entry.RefreshAt != DateTimeOffset.MaxValue)
        {
            timer = _timeProvider.CreateTimer(
                static state => ((StaleTimerState)state!).Fire(),
                new StaleTimerState(this, entry),
                entry.RefreshAt - now,
                Timeout.InfiniteTimeSpan);
        }

        Interlocked.Exchange(ref _staleTimer, timer)?.Dispose();
        if (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Exchange(ref _staleTimer, null)?.Dispose();
        }
    }

    private void MarkStale(Entry entry)
    {
        if (entry.IsFresh)
        {
            Interlocked.CompareExchange(ref _entry, entry.AsStale(), entry);
        }
    }

    internal enum RefreshReason
    {
        Initial,
        Stale,
        Expired,
    }

    /// <summary>An immutable cached credential with its precomputed instants.</summary>
    internal sealed class Entry
    {
        public Entry(TCredential value, DateTimeOffset refreshAt, DateTimeOffset usableUntil, bool isFresh)
        {
            Value = value;
            RefreshAt = refreshAt;
            UsableUntil = usableUntil;
            IsFresh = isFresh;
        }

        public TCredential Value { get; }

        public DateTimeOffset RefreshAt { get; }

        public DateTimeOffset UsableUntil { get; }

        public bool IsFresh { get; }

        public Entry AsStale() => new(Value, RefreshAt, UsableUntil, isFresh: false);
    }

    private sealed record Failure(Exception Error, int Attempts, DateTimeOffset NextAttemptAt);

    /// <summary>Holds the cache weakly, so an undisposed cache that nobody references can still be collected.</summary>
    private sealed class StaleTimerState(RefreshAheadCache<TCredential> cache, Entry entry)
    {
        private readonly WeakReference<RefreshAheadCache<TCredential>> _cache = new(cache);

        public void Fire()
        {
            if (_cache.TryGetTarget(out RefreshAheadCache<TCredential>? target))
            {
                target.MarkStale(entry);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Refreshing the credential of {HopName} ({Reason}).")]
        public static partial void RefreshStarted(ILogger logger, string hopName, RefreshReason reason);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Refreshed the credential of {HopName} in {ElapsedMilliseconds:F1} ms; it expires at {ExpiresOn:O} and will be refreshed from {RefreshAt:O}.")]
        public static partial void RefreshSucceeded(ILogger logger, string hopName, double elapsedMilliseconds, DateTimeOffset expiresOn, DateTimeOffset refreshAt);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Refreshing the credential of {HopName} failed after {ElapsedMilliseconds:F1} ms (attempt {Attempt}); next attempt not before {NextAttemptAt:O}; still serving the cached credential: {ServingCached}.")]
        public static partial void RefreshFailed(ILogger logger, string hopName, double elapsedMilliseconds, int attempt, DateTimeOffset nextAttemptAt, bool servingCached, Exception error);
    }
}
