using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using CrossCloudAuth.Caching;

namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// Short-lived tokens (200 ms) rotate while every core reads for a fixed time per invocation, against an
/// upstream that takes 10 ms to answer. Each call's latency is recorded; the global cleanup writes the
/// percentiles, the number of calls that had to wait for a refresh, upstream calls and rotations to
/// <c>benchmarks/results/rotation-under-load.md</c>. The claim: with refresh-ahead, upstream calls equal rotations
/// and no reader waits on the upstream (its max latency stays far below 10 ms); the lock-based cache, which
/// refreshes under its lock when the token nears expiry, makes its readers wait at every rotation.
/// BenchmarkDotNet's own time column only shows the fixed duration and is not the result here.
/// </summary>
[Config(typeof(RotationConfig))]
public class RotationUnderLoadBenchmarks
{
    public const string RefreshAhead = "RefreshAheadCache";
    public const string Lock = "LockBasedCache";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan UpstreamLatency = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ReadDuration = TimeSpan.FromSeconds(2);

    private SlowSource _source = null!;
    private RefreshAheadCache<AuthToken> _cache = null!;
    private Peers.LockingCache _locking = null!;
    private ThreadGang _gang = null!;
    private Reader[] _readers = null!;
    private int _invocations;
    private int _primingCalls;
    private long _lockWaitsBeforeRecording;

    [Params(RefreshAhead, Lock)]
    public string Cache { get; set; } = RefreshAhead;

    [GlobalSetup]
    public void Setup()
    {
        _source = new SlowSource(Lifetime, UpstreamLatency);
        _cache = new RefreshAheadCache<AuthToken>(_source, Peers.OneProcess);
        _locking = new Peers.LockingCache(_source, TimeProvider.System, margin: Lifetime / 4);
        AuthToken first = Cache == RefreshAhead ? _cache.GetAsync().AsTask().GetAwaiter().GetResult() : _locking.GetAsync().Result;
        _primingCalls = _source.Calls;
        _gang = new ThreadGang(Environment.ProcessorCount);
        _readers = Enumerable.Range(0, _gang.Threads).Select(_ => new Reader()).ToArray();
        _readers[0].Tokens.Add(first.Token);
    }

    [Benchmark]
    public int ReadWhileRotating()
    {
        // The first invocation (BenchmarkDotNet's jitting run) is not counted in the latencies.
        int invocation = Interlocked.Increment(ref _invocations);
        bool record = invocation > 1;
        if (invocation == 2)
        {
            _lockWaitsBeforeRecording = _locking.WaitedOnRefresh;
        }

        long durationTicks = (long)(ReadDuration.TotalSeconds * Stopwatch.Frequency);
        return _gang.Run(this, 0, (self, _, index) => self.Read(self._readers[index], durationTicks, record));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Let a refresh started by the last reads land and be seen, so that it counts as a rotation.
        Thread.Sleep(UpstreamLatency * 5);
        _readers[0].Tokens.Add((Cache == RefreshAhead ? _cache.GetAsync().AsTask().GetAwaiter().GetResult() : _locking.GetAsync().Result).Token);

        LatencyHistogram all = new();
        HashSet<string> tokens = [];
        long waited = 0;
        foreach (Reader reader in _readers)
        {
            all.Add(reader.Latency);
            tokens.UnionWith(reader.Tokens);
            waited += reader.Waited;
        }

        // Tokens are numbered by the upstream call that issued them. Count the calls up to the newest token any reader
        // saw: a wasted call (a second refresh for the same rotation) issues a token nobody sees and shows up as a
        // difference, while a refresh still in flight when reading stopped (started by the last reads or by the read
        // above) is not counted, because its token had no chance to be seen.
        int upstreamCalls = tokens.Max(TokenNumber) - _primingCalls;
        int rotations = tokens.Count - 1;
        string row = string.Create(
            CultureInfo.InvariantCulture,
            $"| {Cache} | {_readers.Length} | {all.Count:N0} | {Us(all.Percentile(0.50))} | {Us(all.Percentile(0.99))} | {Us(all.Percentile(0.999))} | {Us(all.Percentile(0.9999))} | {Us(all.MaxNanoseconds)} | {all.CountAtLeast(1_000_000):N0} | {all.CountAtLeast((long)UpstreamLatency.TotalNanoseconds):N0} | {(Cache == RefreshAhead ? waited : _locking.WaitedOnRefresh - _lockWaitsBeforeRecording):N0} | {upstreamCalls} | {rotations} | {_source.SlowestCall.TotalMilliseconds:0.#} |");
        Console.WriteLine("// rotation-under-load: " + row);
        ResultsFile.UpsertRow("rotation-under-load.md", Header, Cache, row);

        _gang.Dispose();
        _cache.Dispose();
    }

    private static string Header => string.Create(
        CultureInfo.InvariantCulture,
        $"""
        # Rotation under load

        Token lifetime {Lifetime.TotalMilliseconds} ms, upstream latency {UpstreamLatency.TotalMilliseconds} ms (Task.Delay on TimeProvider.System),
        every core reading for {ReadDuration.TotalSeconds} s per invocation; the first (jitting) invocation is not in the latencies.
        Latencies in microseconds, measured around each call with Stopwatch timestamps (which add ~25 ns each).
        "≥ 1 ms" and "≥ 10 ms" count calls that took that long for any reason: a wait for the upstream, or the OS
        descheduling the reader (on a busy machine). "Waited on a refresh" counts the calls that waited for the
        upstream: for refresh-ahead, calls that did not complete synchronously; for the lock-based cache, the call that
        refreshed and the calls that found the lock held by it.
        Rotations = distinct tokens readers saw − 1; upstream calls = calls up to the newest token readers saw, less the
        priming call (a refresh still in flight when reading stopped is not counted; a wasted call would be). "Slowest upstream"
        is the longest upstream call including thread-pool scheduling: refresh-ahead covers a refresh only if it
        lands within the stale window (refresh-at 75 ms, usable-until 150 ms after issue here).
        Written by `RotationUnderLoadBenchmarks`' global cleanup; regenerate with `benchmarks/run.sh`.

        | Cache | Reader threads | Calls | p50 (µs) | p99 (µs) | p99.9 (µs) | p99.99 (µs) | Max (µs) | ≥ 1 ms | ≥ 10 ms | Waited on a refresh | Upstream calls | Rotations | Slowest upstream (ms) |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """);

    private static int TokenNumber(string token) => int.Parse(token.AsSpan("token-".Length), CultureInfo.InvariantCulture);

    private static string Us(long nanoseconds) => (nanoseconds / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private int Read(Reader reader, long durationTicks, bool record)
    {
        bool ours = Cache == RefreshAhead;
        long end = Stopwatch.GetTimestamp() + durationTicks;
        AuthToken? last = null;
        int calls = 0;
        while (true)
        {
            long before = Stopwatch.GetTimestamp();
            if (before >= end)
            {
                return calls;
            }

            ValueTask<AuthToken> call = ours ? _cache.GetAsync() : _locking.GetAsync();
            bool waited = !call.IsCompletedSuccessfully;
            AuthToken token = waited ? call.AsTask().GetAwaiter().GetResult() : call.Result;
            long after = Stopwatch.GetTimestamp();
            calls++;
            if (record)
            {
                reader.Latency.RecordTicks(after - before);
                if (waited)
                {
                    reader.Waited++;
                }
            }

            if (!ReferenceEquals(token, last))
            {
                reader.Tokens.Add(token.Token);
                last = token;
            }
        }
    }

    private sealed class Reader
    {
        public LatencyHistogram Latency { get; } = new();

        public HashSet<string> Tokens { get; } = [];

        public long Waited { get; set; }
    }

    /// <summary>An upstream that takes <paramref name="latency"/> to issue a token living <paramref name="lifetime"/>.</summary>
    private sealed class SlowSource(TimeSpan lifetime, TimeSpan latency) : ICredentialProvider<AuthToken>
    {
        private int _calls;

        public string HopName => "bench:slow";

        public int Calls => Volatile.Read(ref _calls);

        private long _slowestTicks;

        public TimeSpan SlowestCall => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _slowestTicks));

        public async ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
        {
            int call = Interlocked.Increment(ref _calls);
            long started = Stopwatch.GetTimestamp();
            await Task.Delay(latency, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            long took = Stopwatch.GetTimestamp() - started;
            long slowest;
            while (took > (slowest = Volatile.Read(ref _slowestTicks)) && Interlocked.CompareExchange(ref _slowestTicks, took, slowest) != slowest)
            {
            }

            return new AuthToken($"token-{call}", TimeProvider.System.GetUtcNow() + lifetime);
        }
    }

    /// <summary>Few, long invocations: each one is a fixed-duration run, not a micro-operation.</summary>
    private sealed class RotationConfig : BenchmarkDotNet.Configs.ManualConfig
    {
        public RotationConfig() => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Rotation"));
    }
}
