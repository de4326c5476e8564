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
    /// never be left waiting on a refresh that is gone.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Every refresh fault is recorded, logged and handed to the waiters; none may escape to the thread pool.")]
    private async Task RefreshAsync(TaskCompletionSource<Entry> completion, RefreshReason reason, ActivityContext parent)
    {
        long started = _timeProvider.GetTimestamp();
        using Activity? activity = StartActivity(reason, parent);
        LogSafely(static (cache, reason) => Log.RefreshStarted(cache._logger, cache.HopName, reason), reason);

        Entry? entry = null;
        Exception? error = null;
        try
        {
            TCredential credential = await _source.GetAsync(_disposal.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The credential source '{HopName}' returned null.");
            DateTimeOffset now = _timeProvider.GetUtcNow();
            entry = _schedule.CreateEntry(credential, now, HopName);
        }
        catch (Exception caught)
        {
            error = caught;
        }

        if (entry is not null && TryPublish(entry))
        {
            Release(completion);
            completion.TrySetResult(entry);
            TimeSpan elapsed = _timeProvider.GetElapsedTime(started);
            RecordSuccess(activity, reason, elapsed, entry);
            LogSafely(
                static (cache, state) => Log.RefreshSucceeded(cache._logger, cache.HopName, state.elapsed.TotalMilliseconds, state.entry.Value.ExpiresOn, state.entry.RefreshAt),
                (entry, elapsed));
            return;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            // Disposal is not a refresh failure: nothing to record or retry, only waiters to release.
            Release(completion);
            Fail(completion, CreateDisposedException(error));
            activity?.SetTag(Diagnostics.Telemetry.OutcomeTag, "disposed");
            return;
        }

        error ??= new InvalidOperationException($"The credential of '{HopName}' could not be published.");
        Failure? previous = Volatile.Read(ref _failure);
        int attempts = (previous?.Attempts ?? 0) + 1;
        DateTimeOffset failedAt = _timeProvider.GetUtcNow();
        Failure failure = new(error, attempts, RefreshSchedule.AddSaturating(failedAt, _schedule.Backoff(attempts)));

        // Record the failure before releasing the refresh: a caller that sees no refresh must see its failure.
        Volatile.Write(ref _failure, failure);
        Release(completion);
        Fail(completion, error);

        Entry? cached = Volatile.Read(ref _entry);
        bool servingCached = cached is not null && failedAt < cached.UsableUntil;
        TimeSpan failedAfter = _timeProvider.GetElapsedTime(started);
        RecordFailure(activity, reason, failedAfter, error, servingCached);
        LogSafely(
            static (cache, state) => Log.RefreshFailed(cache._logger, cache.HopName, state.failedAfter.TotalMilliseconds, state.failure.Attempts, state.failure.NextAttemptAt, state.servingCached, state.failure.Error),
            (failure, failedAfter, servingCached));
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
