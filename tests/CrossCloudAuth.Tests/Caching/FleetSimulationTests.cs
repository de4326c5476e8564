using CrossCloudAuth.Caching;
using Xunit.Abstractions;

namespace CrossCloudAuth.Tests.Caching;

/// <summary>
/// A fleet of processes started together on one clock, each with one cache of one-hour tokens, read every second.
/// Reads are modelled analytically: a process calls upstream exactly at its first read at or after its refresh-at,
/// and gets its new token at once. The schedule itself is the real <see cref="RefreshSchedule"/>, with a seeded
/// random source, so the simulation is exact and deterministic and runs in milliseconds. The figures are those of
/// docs/reliability.md ("Fleet").
/// </summary>
public sealed class FleetSimulationTests(ITestOutputHelper output)
{
    private const int Processes = 10_000;
    private const int Hours = 6;
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset Start = CacheTest.Start;

    /// <summary>The fleet's mean rate: every process calls once per token lifetime.</summary>
    private const double MeanPerMinute = Processes / 60.0;

    [Fact]
    public void RefreshSchedule_FleetStartedTogether_BusiestMinuteFromTheSecondRotationOnIsAtMostTwiceTheMean()
    {
        Fleet fleet = Fleet.Simulate(new RefreshAheadCacheOptions(), seed: 20261123);
        Report("spread first refresh (default)", fleet);

        // From the second hour on, every process is in its second rotation or later.
        for (int hour = 1; hour < Hours; hour++)
        {
            Assert.True(fleet.BusiestMinute(hour) <= 2 * MeanPerMinute, $"hour {hour + 1}: busiest minute {fleet.BusiestMinute(hour)} calls, mean {MeanPerMinute:F0}");
        }

        // After the cold start (minute 0, the first fetch of every process), even the first hour stays under 2x.
        Assert.True(fleet.BusiestMinuteAfterColdStart(0) <= 2 * MeanPerMinute);
    }

    [Fact]
    public void RefreshSchedule_FleetStartedTogether_SpreadingCostsAtMostOneExtraCallPerProcess()
    {
        Fleet spread = Fleet.Simulate(new RefreshAheadCacheOptions(), seed: 20261123);
        Fleet unspread = Fleet.Simulate(new RefreshAheadCacheOptions { SpreadFirstRefresh = false }, seed: 20261123);

        double extraPerProcess = (spread.TotalCalls - unspread.TotalCalls) / (double)Processes;
        output.WriteLine($"calls per process over {Hours} h: {spread.TotalCalls / (double)Processes:F3} spread, {unspread.TotalCalls / (double)Processes:F3} not; extra {extraPerProcess:F3}");

        Assert.InRange(extraPerProcess, 0, 1);

        // Per process, only the first token is cut short: from its second token on, a process refreshes as often
        // as it would without spreading, so no process ever makes more than one call beyond a full-life schedule.
        Assert.All(spread.CallsPerProcess, calls => Assert.InRange(calls, 1, unspread.MostCallsOfAProcess + 1));
    }

    [Fact]
    public void RefreshSchedule_FleetWithoutSpreading_StaysSynchronized()
    {
        // The schedule before the spread: the jitter alone spreads a fleet over 3 of 60 minutes, and it stays
        // bunched. This is what the spread fixes, and it shows that the simulation can tell the two apart.
        Fleet fleet = Fleet.Simulate(new RefreshAheadCacheOptions { SpreadFirstRefresh = false }, seed: 20261123);
        Report("no spread (before)", fleet);

        Assert.True(fleet.BusiestMinuteAfterColdStart(0) > 10 * MeanPerMinute);
        Assert.True(fleet.BusiestMinute(Hours - 1) > 5 * MeanPerMinute);
    }

    [Fact]
    public void RefreshSchedule_SameSeed_SameFleet()
    {
        Fleet a = Fleet.Simulate(new RefreshAheadCacheOptions(), seed: 7);
        Fleet b = Fleet.Simulate(new RefreshAheadCacheOptions(), seed: 7);

        Assert.Equal(a.CallsPerMinute, b.CallsPerMinute);
    }

    private void Report(string name, Fleet fleet)
    {
        output.WriteLine($"{name}: {Processes} processes, {fleet.TotalCalls} calls in {Hours} h, mean {MeanPerMinute:F1}/min");
        output.WriteLine($"  hour 1 after the cold start: busiest minute {fleet.BusiestMinuteAfterColdStart(0)} ({fleet.BusiestMinuteAfterColdStart(0) / MeanPerMinute:F2}x)");
        for (int hour = 0; hour < Hours; hour++)
        {
            output.WriteLine($"  hour {hour + 1}: busiest minute {fleet.BusiestMinute(hour)} ({fleet.BusiestMinute(hour) / MeanPerMinute:F2}x), calls {fleet.CallsInHour(hour)}");
        }
    }

    private sealed class Fleet
    {
        private Fleet(int[] callsPerMinute, int[] callsPerProcess)
        {
            CallsPerMinute = callsPerMinute;
            CallsPerProcess = callsPerProcess;
        }

        public int[] CallsPerMinute { get; }

        public int[] CallsPerProcess { get; }

        public long TotalCalls => CallsPerProcess.Sum(c => (long)c);

        public int MostCallsOfAProcess => CallsPerProcess.Max();

        public static Fleet Simulate(RefreshAheadCacheOptions options, int seed)
        {
            Random random = new(seed);
            RefreshSchedule schedule = new(options, random.NextDouble);
            long horizon = TimeSpan.FromHours(Hours).Ticks;
            int[] perMinute = new int[Hours * 60];
            int[] perProcess = new int[Processes];
            for (int process = 0; process < Processes; process++)
            {
                long now = 0; // ticks since the fleet started; every process reads at whole seconds
                bool first = true;
                while (now < horizon)
                {
                    perMinute[(int)(now / TimeSpan.TicksPerMinute)]++;
                    perProcess[process]++;
                    DateTimeOffset fetchedAt = Start.AddTicks(now);
                    RefreshAheadCache<AuthToken>.Entry entry = schedule.CreateEntry(new AuthToken("t", fetchedAt + Lifetime), fetchedAt, "fleet", first);
                    first = false;

                    // The first read at or after refresh-at starts the refresh; the read that fetched does not count.
                    long refreshAt = (entry.RefreshAt - Start).Ticks;
                    long nextRead = (refreshAt + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
                    now = Math.Max(nextRead, now + TimeSpan.TicksPerSecond);
                }
            }

            return new Fleet(perMinute, perProcess);
        }

        public int BusiestMinute(int hour) => CallsPerMinute.Skip(hour * 60).Take(60).Max();

        public int BusiestMinuteAfterColdStart(int hour) => CallsPerMinute.Skip((hour * 60) + 1).Take(59).Max();

        public int CallsInHour(int hour) => CallsPerMinute.Skip(hour * 60).Take(60).Sum();
    }
}
