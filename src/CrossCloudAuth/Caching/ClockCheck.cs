namespace CrossCloudAuth.Caching;

/// <summary>
/// The late-timer guard of <see cref="RefreshAheadCache{TCredential}"/>'s hit path: a per-thread hit counter that
/// sends one hit in <see cref="Interval"/> to the slow path, which reads the clock. A timer that fires late (a
/// starved thread pool, a suspended host) therefore delays the switch to stale by at most that many hits per thread.
/// </summary>
/// <remarks>One counter per thread serves every cache, which only spreads the checks. Measured, the counter costs
/// about 1.5 ns of a hit; reading <see cref="TimeProvider.GetUtcNow"/> on every hit instead would cost about 25 ns.</remarks>
internal static class ClockCheck
{
    /// <summary>Hits per thread between two clock reads; a power of two so that the test is a mask.</summary>
    public const uint Interval = 1024;

    [ThreadStatic]
    private static uint s_hits;

    /// <summary>Counts a hit; returns <see langword="false"/> once in <see cref="Interval"/> calls on a thread.</summary>
    public static bool Skip() => (++s_hits & (Interval - 1)) != 0;

    /// <summary>Restarts the count after a slow-path call, which read the clock anyway.</summary>
    public static void Reset() => s_hits = 1;
}
