using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Caching;

/// <summary>A cache the time-to-expiry gauge can observe.</summary>
internal interface IObservableCache
{
    /// <summary>Gets the hop name, the time left until the cached credential expires and the cache's state;
    /// <see langword="false"/> when nothing (or a credential that never expires) is cached.</summary>
    bool TryGetTimeToExpiry(out string hopName, out TimeSpan timeToExpiry, out CredentialCacheState state);
}

/// <summary>
/// The live caches of the process, held weakly so that registration never keeps a cache alive, for the
/// time-to-expiry gauge. Registration and removal happen when a cache is created and disposed, never on a hit.
/// </summary>
internal static class CacheRegistry
{
    private static readonly ConcurrentDictionary<long, WeakReference<IObservableCache>> s_caches = new();
    private static long s_nextId;
    private static int s_pruneAt = 1024;

    // The cache's observable instruments, created with the registry (the first cache created creates them). Hits are
    // counted by ClockCheck's per-thread counter and published in batches, so a hit never touches an instrument.
    private static readonly ObservableCounter<long> s_hits = Telemetry.Meter.CreateObservableCounter(
        "crosscloudauth.cache.hits",
        ClockCheck.ReportedHits,
        unit: "{call}",
        description: "Calls served from a cache without waiting, all hops together; counted per thread and published in batches of up to 1024 hits.");

    private static readonly ObservableGauge<double> s_timeToExpiry = Telemetry.Meter.CreateObservableGauge(
        "crosscloudauth.credential.time_to_expiry",
        ObserveTimeToExpiry,
        unit: "s",
        description: "Seconds until the cached credential of each hop expires (the soonest when a hop has several caches); negative once expired.");

    public static int Count => s_caches.Count;

    public static long Register(IObservableCache cache)
    {
        GC.KeepAlive(s_hits);
        GC.KeepAlive(s_timeToExpiry);
        long id = Interlocked.Increment(ref s_nextId);
        s_caches[id] = new WeakReference<IObservableCache>(cache);
        if (s_caches.Count >= Volatile.Read(ref s_pruneAt))
        {
            Prune();
        }

        return id;
    }

    public static void Unregister(long id) => s_caches.TryRemove(id, out _);

    /// <summary>One measurement per hop: the soonest expiry among its caches (a hop serves several scope sets or
    /// ID token audiences from separate caches, and the most urgent one is what an operator needs).</summary>
    public static IEnumerable<Measurement<double>> ObserveTimeToExpiry()
    {
        Dictionary<string, (TimeSpan Left, CredentialCacheState State)> soonest = new(StringComparer.Ordinal);
        foreach (KeyValuePair<long, WeakReference<IObservableCache>> item in s_caches)
        {
            if (!item.Value.TryGetTarget(out IObservableCache? cache))
            {
                s_caches.TryRemove(item.Key, out _);
                continue;
            }

            if (cache.TryGetTimeToExpiry(out string hop, out TimeSpan left, out CredentialCacheState state)
                && (!soonest.TryGetValue(hop, out (TimeSpan Left, CredentialCacheState State) known) || left < known.Left))
            {
                soonest[hop] = (left, state);
            }
        }

        List<Measurement<double>> measurements = new(soonest.Count);
        foreach (KeyValuePair<string, (TimeSpan Left, CredentialCacheState State)> hop in soonest)
        {
            measurements.Add(new Measurement<double>(
                hop.Value.Left.TotalSeconds,
                new KeyValuePair<string, object?>(Telemetry.HopTag, hop.Key),
                new KeyValuePair<string, object?>(Telemetry.StateTag, StateName(hop.Value.State))));
        }

        return measurements;
    }

    public static string StateName(CredentialCacheState state) => state switch
    {
        CredentialCacheState.Fresh => "fresh",
        CredentialCacheState.Stale => "stale",
        CredentialCacheState.Expired => "expired",
        _ => "empty",
    };

    private static void Prune()
    {
        foreach (KeyValuePair<long, WeakReference<IObservableCache>> item in s_caches)
        {
            if (!item.Value.TryGetTarget(out _))
            {
                s_caches.TryRemove(item.Key, out _);
            }
        }

        Volatile.Write(ref s_pruneAt, Math.Max(1024, s_caches.Count * 2));
    }
}
