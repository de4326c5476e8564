using CrossCloudAuth.Platform;
using CrossCloudAuth.Diagnostics;
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
public sealed partial class RefreshAheadCache<TCredential> : ICredentialProvider<TCredential>, IDisposable, IObservableCache
    where TCredential : class, IExpiringCredential
{
    private readonly ICredentialProvider<TCredential> _source;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposal = new();
    private readonly RefreshSchedule _schedule;
    private readonly long _registration;
    private readonly TimeSpan _refreshTimeout;

    // Written with Volatile/Interlocked only. The entry is replaced, never mutated.
    private Entry? _entry;
    private TaskCompletionSource<Entry>? _refresh;
    private Failure? _failure;
    private ITimer? _staleTimer;
    private int _disposed;
    private int _published;

    /// <summary>Initializes a new instance of the <see cref="RefreshAheadCache{TCredential}"/> class.</summary>
    /// <param name="source">The hop whose credentials to cache.</param>
    /// <param name="options">Refresh scheduling; the defaults when <see langword="null"/>. Copied: later changes have no effect.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RefreshAheadCache(
        ICredentialProvider<TCredential> source,
        RefreshAheadCacheOptions? options = null,
        CredentialContext? context = null)
        : this(source, options, context?.TimeProvider, context?.Logger<RefreshAheadCache<TCredential>>())
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal RefreshAheadCache(
        ICredentialProvider<TCredential> source,
        RefreshAheadCacheOptions? options,
        TimeProvider? timeProvider,
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
        _refreshTimeout = options.RefreshTimeout;
        _registration = CacheRegistry.Register(this);
    }

    /// <inheritdoc />
    public string HopName => _source.HopName;

    /// <summary>Gets the in-flight refresh, if any, so that tests can await a background refresh instead of sleeping.</summary>
    internal Task? PendingRefresh => Volatile.Read(ref _refresh)?.Task;

    /// <summary>Gets a credential: the cached one while it is usable, otherwise the result of the one shared refresh.</summary>
    /// <param name="cancellationToken">Ends this caller's wait; never cancels the shared refresh.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="CrossCloudAuthException">The refresh failed and no usable credential is cached.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    public ValueTask<TCredential> GetAsync(CancellationToken cancellationToken = default)
    {
        Entry? entry = Volatile.Read(ref _entry);
        if (entry is not null && entry.IsFresh && ClockCheck.Skip())
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
            entry?.RefreshedAt,
            failure?.Error,
            failure?.Attempts ?? 0,
            failure?.NextAttemptAt);
    }

    /// <summary>Stops the cache: fails an in-flight refresh's waiters with <see cref="ObjectDisposedException"/> at once
    /// (and cancels the upstream call), stops the timer and drops the cached credential. Later calls throw
    /// <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        // The exchange is a full fence: a refresh that wins the single-flight race after it sees the flag, and
        // one that won before it is seen below.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _entry, null);
        Interlocked.Exchange(ref _staleTimer, null)?.Dispose();
        CacheRegistry.Unregister(_registration);

        // Release the waiters first, so that they do not depend on the source honouring its cancellation.
        TaskCompletionSource<Entry>? refresh = Volatile.Read(ref _refresh);
        if (refresh is not null)
        {
            Fail(refresh, CreateDisposedException(inner: null));
        }

        _disposal.Cancel();
        _disposal.Dispose();
    }

    private ValueTask<TCredential> GetSlow(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ClockCheck.Reset();

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

            ClockCheck.CountSlowHit();
            return new ValueTask<TCredential>(entry.Value);
        }

        // Nothing usable: everybody waits for the one refresh. Read the refresh before the failure: a refresh
        // records its failure before it clears itself, so a cleared refresh means the failure is visible.
        CountWait();
        Task<Entry>? refresh = Volatile.Read(ref _refresh)?.Task;
        if (refresh is null)
        {
            Failure? failure = Volatile.Read(ref _failure);
            if (failure is not null && now < failure.NextAttemptAt)
            {
                // A copy per caller: the recorded exception is never thrown again (see CachedFailure).
                return ValueTask.FromException<TCredential>(CachedFailure.ForCaller(failure.Error));
            }

            refresh = StartRefresh(entry is null ? RefreshReason.Initial : RefreshReason.Expired);
        }

        return WaitAsync(refresh, cancellationToken);
    }

    /// <summary>Waits for a refresh. Its error reaches this caller as a copy of its own: awaiting the shared task
    /// directly would rethrow one exception object to every waiter (see <see cref="CachedFailure"/>).</summary>
    private static async ValueTask<TCredential> WaitAsync(Task<Entry> refresh, CancellationToken cancellationToken)
    {
        Task<Entry> waiting = refresh.WaitAsync(cancellationToken);
        await ((Task)waiting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (waiting.IsCompletedSuccessfully)
        {
            return waiting.Result.Value;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (refresh.Exception?.InnerException is { } error)
        {
            throw CachedFailure.ForCaller(error);
        }

        // Not reached: a refresh only ends with a credential or an error.
        throw new OperationCanceledException(cancellationToken);
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

    private void MarkStale(Entry entry)
    {
        if (entry.IsFresh)
        {
            Interlocked.CompareExchange(ref _entry, entry.AsStale(), entry);
        }
    }

    private ObjectDisposedException CreateDisposedException(Exception? inner) =>
        new($"The credential cache for '{HopName}' was disposed.", inner);

    /// <summary>Completes a refresh with an error and marks the error observed: a background refresh may have no
    /// waiter, and its fault must never surface as an unobserved task exception.</summary>
    private static void Fail(TaskCompletionSource<Entry> completion, Exception error)
    {
        if (completion.TrySetException(error))
        {
            _ = completion.Task.Exception;
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
        public Entry(TCredential value, DateTimeOffset refreshedAt, DateTimeOffset refreshAt, DateTimeOffset usableUntil, bool isFresh)
        {
            Value = value;
            RefreshedAt = refreshedAt;
            RefreshAt = refreshAt;
            UsableUntil = usableUntil;
            IsFresh = isFresh;
        }

        public TCredential Value { get; }

        public DateTimeOffset RefreshedAt { get; }

        public DateTimeOffset RefreshAt { get; }

        public DateTimeOffset UsableUntil { get; }

        /// <summary>Gets a value indicating whether refresh-at has not been reached, as far as the timer knows.</summary>
        public bool IsFresh { get; }

        public Entry AsStale() => new(Value, RefreshedAt, RefreshAt, UsableUntil, isFresh: false);
    }

    private sealed record Failure(Exception Error, int Attempts, DateTimeOffset NextAttemptAt);
}
