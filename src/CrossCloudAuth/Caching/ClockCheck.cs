namespace CrossCloudAuth.Caching;

/// <summary>
/// The late-timer guard of <see cref="RefreshAheadCache{TCredential}"/>'s hit path: a per-thread hit counter that
/// sends one hit in <see cref="Interval"/> to the slow path, which reads the clock. A timer that fires late (a
/// starved thread pool, a suspended host) therefore delays the switch to stale by at most that many hits per thread.
/// </summary>
/// <remarks>
/// <para>One counter per thread serves every cache, which only spreads the checks. Measured, the counter costs
/// about 1.5 ns of a hit; reading <see cref="TimeProvider.GetUtcNow"/> on every hit instead would cost about 25 ns.</para>
/// <para>The same counter feeds the <c>crosscloudauth.cache.hits</c> metric at no cost to the hit: the slow path,
/// which runs at least once in <see cref="Interval"/> hits of a thread, adds the thread's hits since its last
/// visit to a process-wide total. Hits are therefore published in per-thread batches, late but never lost
/// while the thread keeps serving.</para>
/// </remarks>
internal static class ClockCheck
{
    /// <summary>Hits per thread between two clock reads; a power of two so that the test is a mask.</summary>
    public const uint Interval = 1024;

    [ThreadStatic]
    private static uint s_hits;

    [ThreadStatic]
    private static uint s_slowHits;

    private static long s_reportedHits;

    /// <summary>Counts a hit; returns <see langword="false"/> once in <see cref="Interval"/> calls on a thread.</summary>
    public static bool Skip() => (++s_hits & (Interval - 1)) != 0;

    /// <summary>Counts a call that the slow path served from the cache without waiting (a stale credential).</summary>
    public static void CountSlowHit() => s_slowHits++;

    /// <summary>Restarts the count after a slow-path call, which read the clock anyway, and publishes the hits
    /// the thread counted since its previous slow-path call.</summary>
    public static void Reset()
    {
        // Since the last reset (which left 1), every Skip() call added one; those that returned false (one per
        // multiple of Interval reached) went to the slow path and are not hits.
        uint count = s_hits;
        long hits = (long)count - 1 - (count / Interval) + s_slowHits;
        if (hits > 0)
        {
            Interlocked.Add(ref s_reportedHits, hits);
        }

        s_hits = 1;
        s_slowHits = 0;
    }

    /// <summary>Gets the hits published so far by every thread.</summary>
    public static long ReportedHits() => Volatile.Read(ref s_reportedHits);
}
