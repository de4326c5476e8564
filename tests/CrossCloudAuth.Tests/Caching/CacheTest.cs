using CrossCloudAuth.Caching;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Tests.Caching;

/// <summary>Shared fixtures of the cache tests.</summary>
internal static class CacheTest
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    // With the default options, a one-hour token fetched at Start and no jitter (random = 0):
    // usable-until = expiry − 1 min skew; refresh-at = usable-until − 15 min lead.
    public static readonly DateTimeOffset OneHourRefreshAt = Start + TimeSpan.FromMinutes(44);
    public static readonly DateTimeOffset OneHourUsableUntil = Start + TimeSpan.FromMinutes(59);

    /// <summary>A cache with its jitter and backoff jitter pinned by <paramref name="random"/>.</summary>
    public static RefreshAheadCache<TCredential> Create<TCredential>(
        ICredentialProvider<TCredential> source,
        TimeProvider time,
        RefreshAheadCacheOptions? options = null,
        ILogger? logger = null,
        double random = 0)
        where TCredential : class, IExpiringCredential =>
        new(source, options, time, logger, () => random);

    /// <summary>A guard against a hang if the code under test is broken; never a timing assertion.</summary>
    public static Task<T> HangGuard<T>(this Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(10));

    /// <inheritdoc cref="HangGuard{T}(Task{T})"/>
    public static Task HangGuard(this Task task) => task.WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Awaits the cache's in-flight refresh, whatever its outcome.</summary>
    public static async Task SettleAsync<TCredential>(this RefreshAheadCache<TCredential> cache)
        where TCredential : class, IExpiringCredential
    {
        Task? pending = cache.PendingRefresh;
        if (pending is not null)
        {
            await ((Task)pending.ContinueWith(static _ => { }, TaskScheduler.Default)).HangGuard();
        }
    }
}
