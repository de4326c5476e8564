using System.Globalization;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

/// <summary>
/// A stampede at expiry and a soak over many rotations, on a fake clock: every assertion is about counts and
/// outcomes, none about elapsed time. <c>CROSSCLOUDAUTH_SOAK_ROTATIONS</c> raises the soak's rotation count
/// (see docs/reliability.md).
/// </summary>
public sealed class RefreshAheadCacheLoadTests(ITestOutputHelper output)
{
    private const int Stampede = 10_000;

    [Fact]
    public async Task GetAsync_TenThousandConcurrentCallersAtExpiry_MakeExactlyOneUpstreamCall()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        source.Close();
        time.SetUtcNow(OneHourUsableUntil);

        // Every caller has called before the upstream call may answer: all of them find nothing usable.
        Task<AuthToken>[] callers = new Task<AuthToken>[Stampede];
        Parallel.For(0, Stampede, i => callers[i] = cache.GetAsync().AsTask());
        await source.WhenCallStarted(2).HangGuard();
        source.Open();
        AuthToken[] tokens = await Task.WhenAll(callers).HangGuard();

        Assert.Equal(2, source.Calls);
        Assert.All(tokens, token => Assert.Equal("token-2", token.Token));
    }

    [Fact]
    public async Task GetAsync_TenThousandConcurrentCallersAtRefreshAt_AreServedAtOnceAndMakeOneUpstreamCall()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();
        source.Close();
        time.SetUtcNow(OneHourRefreshAt);

        int servedAtOnce = 0;
        Parallel.For(0, Stampede, _ =>
        {
            ValueTask<AuthToken> hit = cache.GetAsync();
            if (hit.IsCompletedSuccessfully && hit.Result.Token == "token-1")
            {
                Interlocked.Increment(ref servedAtOnce);
            }
        });
        source.Open();
        await cache.SettleAsync();

        Assert.Equal(Stampede, servedAtOnce);
        Assert.Equal(2, source.Calls);
        Assert.Equal("token-2", cache.GetAsync().Result.Token);
    }

    [Fact]
    public async Task GetAsync_HundredsOfRotationsWithFailuresAndOutages_NoReadFailsWhileAUsableTokenExists()
    {
        int rotations = int.TryParse(Environment.GetEnvironmentVariable("CROSSCLOUDAUTH_SOAK_ROTATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out int configured) && configured > 0
            ? configured
            : 120;
        FakeTimeProvider time = new(Start);
        FlakySource source = new(time, seed: 42);
        Random jitter = new(43);
        using RefreshAheadCache<AuthToken> cache = new(source, options: null, time, logger: null, random: jitter.NextDouble);
        TimeSpan step = TimeSpan.FromSeconds(10);
        const int Readers = 4;
        const int ReadsPerReader = 8;

        long reads = 0;
        long failedWhileUsable = 0;
        long failedWithNothingUsable = 0;
        int steps = 0;
        while (source.Successes < rotations)
        {
            // Which tokens could serve now is decided before the step's reads: a refresh during them only adds one.
            bool usableExists = source.NewestUsableUntil is { } usableUntil && time.GetUtcNow() < usableUntil;
            int callsBefore = source.Calls;
            Task<int>[] readers = new Task<int>[Readers];
            for (int r = 0; r < Readers; r++)
            {
                readers[r] = Task.Run(async () =>
                {
                    int failed = 0;
                    for (int i = 0; i < ReadsPerReader; i++)
                    {
                        try
                        {
                            _ = await cache.GetAsync();
                        }
                        catch (CredentialRequestFailedException)
                        {
                            failed++;
                        }
                    }

                    return failed;
                });
            }

            int failures = (await Task.WhenAll(readers).HangGuard()).Sum();
            await cache.SettleAsync();
            reads += Readers * ReadsPerReader;
            if (usableExists)
            {
                failedWhileUsable += failures;
            }
            else
            {
                failedWithNothingUsable += failures;
            }

            // The clock stands still during a step, and every failure is followed by a backoff: no hot loop.
            Assert.InRange(source.Calls - callsBefore, 0, 1);
            time.Advance(step);
            steps++;
        }

        output.WriteLine($"{source.Successes} rotations, {source.Calls - source.Successes} failed upstream calls ({source.OutageCalls} during outages), {reads} reads over {steps * step.TotalHours:F1} h; reads failed with nothing usable: {failedWithNothingUsable}");
        Assert.Equal(0, failedWhileUsable);
        Assert.True(source.Calls - source.Successes >= rotations / 20, "the soak injected failures");
        Assert.True(source.OutageCalls > 0, "the soak went through outages");
    }

    /// <summary>
    /// Issues 15-minute tokens; fails 10 % of calls at random (seeded), and every call during an outage: 2 to 20
    /// minutes of outage starting every 2 to 4 hours.
    /// </summary>
    private sealed class FlakySource : ICredentialProvider<AuthToken>
    {
        private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
        private readonly FakeTimeProvider _time;
        private readonly Random _random;
        private DateTimeOffset _outageStart;
        private DateTimeOffset _outageEnd;
        private int _calls;
        private int _successes;
        private int _outageCalls;
        private DateTimeOffset? _newestUsableUntil;

        public FlakySource(FakeTimeProvider time, int seed)
        {
            _time = time;
            _random = new Random(seed);
            NextOutage(time.GetUtcNow());
        }

        public string HopName => "test:flaky";

        public int Calls => Volatile.Read(ref _calls);

        public int Successes => Volatile.Read(ref _successes);

        public int OutageCalls => Volatile.Read(ref _outageCalls);

        /// <summary>Gets the usable-until of the newest token issued (expiry minus the default 1-minute skew).</summary>
        public DateTimeOffset? NewestUsableUntil => _newestUsableUntil;

        // The cache runs one refresh at a time, so the calls never overlap.
        public ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            DateTimeOffset now = _time.GetUtcNow();
            if (now >= _outageEnd)
            {
                NextOutage(now);
            }

            if (now >= _outageStart)
            {
                Interlocked.Increment(ref _outageCalls);
                return ValueTask.FromException<AuthToken>(new CredentialRequestFailedException(HopName, "unavailable", System.Net.HttpStatusCode.ServiceUnavailable, isTransient: true));
            }

            if (_random.NextDouble() < 0.10)
            {
                return ValueTask.FromException<AuthToken>(new CredentialRequestFailedException(HopName, "throttled", System.Net.HttpStatusCode.TooManyRequests, isTransient: true));
            }

            int success = Interlocked.Increment(ref _successes);
            AuthToken token = new($"token-{success}", now + Lifetime);
            _newestUsableUntil = token.ExpiresOn - TimeSpan.FromMinutes(1);
            return ValueTask.FromResult(token);
        }

        private void NextOutage(DateTimeOffset now)
        {
            _outageStart = now + TimeSpan.FromMinutes(_random.Next(120, 240));
            _outageEnd = _outageStart + TimeSpan.FromMinutes(_random.Next(2, 21));
        }
    }
}
