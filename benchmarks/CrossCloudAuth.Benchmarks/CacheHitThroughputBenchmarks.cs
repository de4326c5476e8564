using BenchmarkDotNet.Attributes;
using CrossCloudAuth.Caching;

namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// Every core reads the same cached credential at once. One operation is one hit; an invocation splits
/// <see cref="TotalHits"/> hits evenly over <see cref="Threads"/> threads running together, so the mean is the
/// wall time per hit of the whole machine. With no shared writes on a hit it halves from 1 to 2 threads:
/// throughput scaling = mean at 1 thread / mean at N threads. The lock-based cache is the baseline: its
/// threads contend for one lock. The threading diagnoser's lock-contention column shows that contention
/// directly, independent of how busy the machine is (a loaded machine hides scaling, not contention).
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class CacheHitThroughputBenchmarks
{
    private const int TotalHits = 1 << 21;

    private RefreshAheadCache<AuthToken> _cache = null!;
    private Peers.LockingCache _locking = null!;
    private ThreadGang _gang = null!;

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<int> ThreadCounts() => new[] { 1, Environment.ProcessorCount }.Distinct();

    [GlobalSetup]
    public void Setup()
    {
        Peers.InstantSource source = new(TimeProvider.System, TimeSpan.FromHours(1));
        _cache = new RefreshAheadCache<AuthToken>(source, Peers.OneProcess);
        _ = _cache.GetAsync().AsTask().GetAwaiter().GetResult();
        _locking = new Peers.LockingCache(source, TimeProvider.System);
        _ = _locking.GetAsync().Result;
        _gang = new ThreadGang(Threads);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        _cache.Dispose();
    }

    [Benchmark(OperationsPerInvoke = TotalHits)]
    public int CrossCloudAuth_RefreshAheadCache() => _gang.Run(_cache, TotalHits, static (cache, count, _) =>
    {
        int hits = 0;
        for (int i = 0; i < count; i++)
        {
            ValueTask<AuthToken> hit = cache.GetAsync();
            if (hit.IsCompletedSuccessfully && hit.Result is not null)
            {
                hits++;
            }
        }

        return hits;
    });

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalHits)]
    public int LockBasedCache() => _gang.Run(_locking, TotalHits, static (cache, count, _) =>
    {
        int hits = 0;
        for (int i = 0; i < count; i++)
        {
            if (cache.GetAsync().Result is not null)
            {
                hits++;
            }
        }

        return hits;
    });
}
