using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Caching;

/// <content>Metrics and tracing of the refresh path (never of a hit) and the time-to-expiry observation.</content>
public sealed partial class RefreshAheadCache<TCredential>
{
    bool IObservableCache.TryGetTimeToExpiry(out string hopName, out TimeSpan timeToExpiry, out CredentialCacheState state)
    {
        hopName = HopName;
        CredentialCacheStatus status = GetStatus();
        state = status.State;
        if (status.ExpiresOn is not DateTimeOffset expiresOn || expiresOn == DateTimeOffset.MaxValue)
        {
            timeToExpiry = default;
            return false;
        }

        timeToExpiry = expiresOn - _timeProvider.GetUtcNow();
        return true;
    }

    private static string ReasonName(RefreshReason reason) => reason switch
    {
        RefreshReason.Initial => "initial",
        RefreshReason.Stale => "stale",
        _ => "expired",
    };

    private static ActivityContext ParentRefreshContext() =>
        Activity.Current is { } current && ReferenceEquals(current.Source, Telemetry.ActivitySource) ? current.Context : default;

    /// <summary>Counts a call that found nothing usable: it waits for a refresh or gets the last error. Slow path only.</summary>
    private void CountWait()
    {
        if (Telemetry.Waits.Enabled)
        {
            Telemetry.Waits.Add(1, new KeyValuePair<string, object?>(Telemetry.HopTag, HopName));
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A faulty listener must not stop a refresh.")]
    private Activity? StartActivity(RefreshReason reason, ActivityContext parent)
    {
        try
        {
            Activity? activity = Telemetry.ActivitySource.StartActivity(CrossCloudAuthDiagnostics.RefreshActivityName, ActivityKind.Internal, parent);
            if (activity is not null)
            {
                activity.DisplayName = "refresh " + HopName;
                activity.SetTag(Telemetry.HopTag, HopName);
                activity.SetTag(Telemetry.ReasonTag, ReasonName(reason));
            }

            return activity;
        }
        catch (Exception)
        {
            return null;
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A faulty listener must not stop a refresh.")]
    private void RecordSuccess(Activity? activity, RefreshReason reason, TimeSpan elapsed, Entry entry)
    {
        try
        {
            if (activity is not null)
            {
                activity.SetTag(Telemetry.OutcomeTag, Telemetry.Success);
                if (entry.Value.ExpiresOn != DateTimeOffset.MaxValue)
                {
                    activity.SetTag(Telemetry.ExpiresOnTag, entry.Value.ExpiresOn.ToString("O", CultureInfo.InvariantCulture));
                }
            }

            Record(reason, elapsed, Telemetry.Success);
        }
        catch (Exception)
        {
            // Telemetry is best effort.
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A faulty listener must not stop a refresh.")]
    private void RecordFailure(Activity? activity, RefreshReason reason, TimeSpan elapsed, Exception error, bool servingCached)
    {
        try
        {
            // The type, never the message: a user-supplied source's message is not known to be free of secrets.
            string errorType = error.GetType().FullName ?? error.GetType().Name;
            if (activity is not null)
            {
                activity.SetTag(Telemetry.OutcomeTag, Telemetry.Failure);
                activity.SetTag(Telemetry.ErrorTypeTag, errorType);
                activity.SetTag("crosscloudauth.cache.serving_cached", servingCached);
                activity.SetStatus(ActivityStatusCode.Error, errorType);
            }

            Record(reason, elapsed, Telemetry.Failure);
            if (Telemetry.RefreshFailures.Enabled)
            {
                Telemetry.RefreshFailures.Add(
                    1,
                    new KeyValuePair<string, object?>(Telemetry.HopTag, HopName),
                    new KeyValuePair<string, object?>(Telemetry.ErrorTypeTag, errorType));
            }
        }
        catch (Exception)
        {
            // Telemetry is best effort.
        }
    }

    private void Record(RefreshReason reason, TimeSpan elapsed, string outcome)
    {
        KeyValuePair<string, object?> hop = new(Telemetry.HopTag, HopName);
        KeyValuePair<string, object?> result = new(Telemetry.OutcomeTag, outcome);
        if (Telemetry.Refreshes.Enabled)
        {
            Telemetry.Refreshes.Add(1, hop, new KeyValuePair<string, object?>(Telemetry.ReasonTag, ReasonName(reason)), result);
        }

        if (Telemetry.RefreshDuration.Enabled)
        {
            Telemetry.RefreshDuration.Record(elapsed.TotalSeconds, hop, result);
        }
    }
}
