using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Caching;

/// <content>The single-flight refresh, publication of a new entry and the stale timer.</content>
public sealed partial class RefreshAheadCache<TCredential>
{
    // A timer due later than this is armed for this long and re-armed when it fires: System.Threading timers
    // reject due times beyond about 49 days, and credentials may live for years.
    private static readonly TimeSpan MaximumTimerDue = TimeSpan.FromDays(1);

    // A timer that fires at most this early marks the entry stale rather than re-arming for a sliver.
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(1);

    private Task<Entry> StartRefresh(RefreshReason reason)
    {
        TaskCompletionSource<Entry> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource<Entry>? running = Interlocked.CompareExchange(ref _refresh, completion, null);
        if (running is not null)
        {
            return running.Task;
        }

        // We won, but our caller looked at the state before the exchange: a refresh may have completed in between.
        // Re-check against what it left behind instead of calling upstream a second time or before its backoff.
        DateTimeOffset now = _timeProvider.GetUtcNow();
        Entry? current = Volatile.Read(ref _entry);
        Failure? failure = Volatile.Read(ref _failure);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Release(completion);
            Fail(completion, CreateDisposedException(inner: null));
        }
        else if (current is not null && current.IsFresh && now < current.RefreshAt)
        {
            Release(completion);
            completion.TrySetResult(current);
        }
        else if (failure is not null && now < failure.NextAttemptAt)
        {
            Release(completion);
            Fail(completion, failure.Error);
        }
        else
        {
            // A refresh started by another hop's refresh (impersonation needing a new federated token) is that
            // refresh's child span; one started by an application request is a root span of its own.
            ActivityContext parent = ParentRefreshContext();

            // Run on the thread pool without the caller's execution context: the refresh belongs to the cache, not to
            // whichever request happened to trigger it (its activity, its logging scope, its async locals).
            // SuppressFlow throws when the flow is already suppressed, so only suppress it when it is not.
            if (ExecutionContext.IsFlowSuppressed())
            {
                _ = Task.Run(() => RefreshAsync(completion, reason, parent));
            }
            else
            {
                using (ExecutionContext.SuppressFlow())
                {
                    _ = Task.Run(() => RefreshAsync(completion, reason, parent));
                }
            }
        }

        return completion.Task;
    }

    /// <summary>Clears the in-flight refresh if it is still <paramref name="completion"/>.</summary>
    private void Release(TaskCompletionSource<Entry> completion) =>
        Interlocked.CompareExchange(ref _refresh, null, completion);

    /// <summary>Runs one refresh to completion. Never throws: every outcome, including a faulty logger, ends in
    /// <paramref name="completion"/> being completed and the in-flight refresh being released, so the cache can
    /// never be left waiting on a refresh that is gone. A source that does not answer by the refresh deadline loses
    /// the refresh to <see cref="OnRefreshDeadline"/>; its late answer is then discarded and its fault observed.</summary>
    /// <remarks>Telemetry and the log line of the outcome are written before the waiters are released, so that a
    /// caller that awaited the credential also finds its refresh logged, measured and traced.</remarks>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Every refresh fault is recorded, logged and handed to the waiters; none may escape to the thread pool.")]
    private async Task RefreshAsync(TaskCompletionSource<Entry> completion, RefreshReason reason, ActivityContext parent)
    {
        RefreshAttempt attempt = new(this, completion, reason, _timeProvider.GetTimestamp());
        attempt.Activity = StartActivity(reason, parent);
        LogSafely(static (cache, reason) => Log.RefreshStarted(cache._logger, cache.HopName, reason), reason);

        Entry? entry = null;
        Exception? error = null;
        try
        {
            // The attempt's own cancellation: canceled by disposal and by the deadline.
            using CancellationTokenSource cancellation = CancellationTokenSource.CreateLinkedTokenSource(_disposal.Token);
            attempt.Cancellation = cancellation;
            using ITimer deadline = _timeProvider.CreateTimer(
                static state => ((RefreshAttempt)state!).OnDeadline(),
                attempt,
                _refreshTimeout,
                Timeout.InfiniteTimeSpan);

            TCredential credential = await _source.GetAsync(cancellation.Token).ConfigureAwait(false)
                ?? throw new CredentialRequestFailedException(HopName, "The credential source returned no credential (null). Fix the source: it must return a credential or throw.", isTransient: true);
            DateTimeOffset now = _timeProvider.GetUtcNow();
            entry = _schedule.CreateEntry(credential, now, HopName, first: Volatile.Read(ref _published) == 0);
        }
        catch (Exception caught)
        {
            error = caught;
        }

        if (!attempt.TrySettle())
        {
            // The deadline (or nothing else: only it settles an attempt besides this method) gave up on this refresh
            // and a newer one may already have published: drop this late outcome. Its fault, if any, was observed above.
            LogSafely(static (cache, failed) => Log.LateRefreshDiscarded(cache._logger, cache.HopName, failed), error is not null);
            return;
        }

        if (entry is not null && TryPublish(entry))
        {
            TimeSpan elapsed = _timeProvider.GetElapsedTime(attempt.Started);
            RecordSuccess(attempt.Activity, reason, elapsed, entry);
            LogSafely(
                static (cache, state) => Log.RefreshSucceeded(cache._logger, cache.HopName, state.elapsed.TotalMilliseconds, state.entry.Value.ExpiresOn, state.entry.RefreshAt),
                (entry, elapsed));
            attempt.Activity?.Dispose();
            Release(completion);
            completion.TrySetResult(entry);
            return;
        }

        SettleFailed(attempt, error ?? new CredentialRequestFailedException(HopName, "The credential could not be published.", isTransient: true));
    }

    /// <summary>Gives up on a refresh that has not completed by its deadline: it counts as a failed refresh.</summary>
    private void OnRefreshDeadline(RefreshAttempt attempt)
    {
        if (!attempt.TrySettle())
        {
            return; // It completed in time.
        }

        try
        {
            attempt.Cancellation?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The source answered while the deadline fired; its answer is discarded all the same.
        }
        catch (AggregateException)
        {
            // A cancellation callback of the source threw; the refresh is abandoned all the same.
        }

        SettleFailed(attempt, new CredentialRequestFailedException(
            HopName,
            string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"The refresh did not complete within its deadline of {_refreshTimeout.TotalSeconds:0.###} s and was abandoned; the cache retries it after a backoff. Check that the upstream service answers, or raise RefreshAheadCacheOptions.RefreshTimeout."),
            isTransient: true));
    }

    /// <summary>Records a failed refresh, logs it, then hands it to the waiters. Called by the one settler of an attempt.</summary>
    private void SettleFailed(RefreshAttempt attempt, Exception caught)
    {
        TaskCompletionSource<Entry> completion = attempt.Completion;
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Disposal is not a refresh failure: nothing to record or retry, only waiters to release.
            attempt.Activity?.SetTag(Diagnostics.Telemetry.OutcomeTag, "disposed");
            attempt.Activity?.Dispose();
            Release(completion);
            Fail(completion, CreateDisposedException(caught));
            return;
        }

        Exception error = CachedFailure.Normalize(caught, HopName);
        Failure? previous = Volatile.Read(ref _failure);
        int attempts = (previous?.Attempts ?? 0) + 1;
        DateTimeOffset failedAt = _timeProvider.GetUtcNow();
        Failure failure = new(error, attempts, RefreshSchedule.AddSaturating(failedAt, _schedule.Backoff(attempts)));

        // Record the failure before releasing the refresh: a caller that sees no refresh must see its failure.
        Volatile.Write(ref _failure, failure);

        Entry? cached = Volatile.Read(ref _entry);
        bool servingCached = cached is not null && failedAt < cached.UsableUntil;
        TimeSpan failedAfter = _timeProvider.GetElapsedTime(attempt.Started);
        RecordFailure(attempt.Activity, attempt.Reason, failedAfter, error, servingCached);
        LogSafely(
            static (cache, state) => Log.RefreshFailed(cache._logger, cache.HopName, state.failedAfter.TotalMilliseconds, state.failure.Attempts, state.failure.NextAttemptAt, state.servingCached, state.failure.Error),
            (failure, failedAfter, servingCached));
        attempt.Activity?.Dispose();

        Release(completion);
        Fail(completion, error);
    }

    /// <summary>Makes <paramref name="entry"/> the cached one and arms its stale timer, unless the cache is disposed.</summary>
    private bool TryPublish(Entry entry)
    {
        // Exchange, not a volatile write: the full fence orders it before the disposal check below, so either
        // Dispose sees this entry and drops it, or this sees Dispose's flag and drops it itself.
        Interlocked.Exchange(ref _entry, entry);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Volatile.Write(ref _entry, null);
            return false;
        }

        Volatile.Write(ref _failure, null);
        Volatile.Write(ref _published, 1);
        ArmStaleTimer(entry, entry.RefreshedAt);
        return true;
    }

    private void ArmStaleTimer(Entry entry, DateTimeOffset now)
    {
        ITimer? timer = null;
        if (entry.RefreshAt != DateTimeOffset.MaxValue)
        {
            StaleTimerState state = new(this, entry);
            timer = _timeProvider.CreateTimer(static state => ((StaleTimerState)state!).Fire(), state, TimerDue(entry, now), Timeout.InfiniteTimeSpan);
            state.Timer = timer;
        }

        Interlocked.Exchange(ref _staleTimer, timer)?.Dispose();
        if (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Exchange(ref _staleTimer, null)?.Dispose();
        }
    }

    private void OnStaleTimer(Entry entry, ITimer? timer)
    {
        if (!ReferenceEquals(Volatile.Read(ref _entry), entry) || Volatile.Read(ref _disposed) != 0)
        {
            return; // A newer entry has its own timer.
        }

        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (entry.RefreshAt - now > TimerSlack)
        {
            // A capped due time: not there yet. Re-arm this entry's own timer (a no-op once a newer entry has
            // replaced and disposed it), never the cache's current one, which may already belong to a newer entry.
            timer?.Change(TimerDue(entry, now), Timeout.InfiniteTimeSpan);
        }
        else
        {
            MarkStale(entry);
        }
    }

    private static TimeSpan TimerDue(Entry entry, DateTimeOffset now)
    {
        TimeSpan due = entry.RefreshAt - now;
        return due < TimeSpan.Zero ? TimeSpan.Zero : due > MaximumTimerDue ? MaximumTimerDue : due;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A faulty logger must not stop a refresh from completing.")]
    private void LogSafely<TState>(Action<RefreshAheadCache<TCredential>, TState> log, TState state)
    {
        try
        {
            log(this, state);
        }
        catch (Exception)
        {
            // Logging is best effort; the refresh's outcome already reached its waiters.
        }
    }

    /// <summary>Holds the cache weakly, so an undisposed cache that nobody references can still be collected.</summary>
    private sealed class StaleTimerState(RefreshAheadCache<TCredential> cache, Entry entry)
    {
        private readonly WeakReference<RefreshAheadCache<TCredential>> _cache = new(cache);

        /// <summary>Gets or sets the timer this state belongs to, so that a capped timer can re-arm itself.</summary>
        public ITimer? Timer { get; set; }

        public void Fire()
        {
            if (_cache.TryGetTarget(out RefreshAheadCache<TCredential>? target))
            {
                target.OnStaleTimer(entry, Timer);
            }
        }
    }

    /// <summary>One run of the source: settled exactly once, by its completion or by its deadline.</summary>
    private sealed class RefreshAttempt(RefreshAheadCache<TCredential> cache, TaskCompletionSource<Entry> completion, RefreshReason reason, long started)
    {
        private int _settled;

        public TaskCompletionSource<Entry> Completion { get; } = completion;

        public RefreshReason Reason { get; } = reason;

        public long Started { get; } = started;


        /// <summary>Gets or sets the refresh's span; touched only by the settler once the attempt is settled.</summary>
        public Activity? Activity { get; set; }

        public CancellationTokenSource? Cancellation { get; set; }

        public void OnDeadline() => cache.OnRefreshDeadline(this);

        /// <summary>Returns <see langword="true"/> to the first caller only.</summary>
        public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Refreshing the credential of {HopName} ({Reason}).")]
        public static partial void RefreshStarted(ILogger logger, string hopName, RefreshReason reason);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Refreshed the credential of {HopName} in {ElapsedMilliseconds:F1} ms; it expires at {ExpiresOn:O} and will be refreshed from {RefreshAt:O}.")]
        public static partial void RefreshSucceeded(ILogger logger, string hopName, double elapsedMilliseconds, DateTimeOffset expiresOn, DateTimeOffset refreshAt);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Refreshing the credential of {HopName} failed after {ElapsedMilliseconds:F1} ms (attempt {Attempt}); next attempt not before {NextAttemptAt:O}; still serving the cached credential: {ServingCached}.")]
        public static partial void RefreshFailed(ILogger logger, string hopName, double elapsedMilliseconds, int attempt, DateTimeOffset nextAttemptAt, bool servingCached, Exception error);

        [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "A refresh of {HopName} abandoned at its deadline completed late (failed: {Failed}); its outcome was discarded.")]
        public static partial void LateRefreshDiscarded(ILogger logger, string hopName, bool failed);
    }
}
