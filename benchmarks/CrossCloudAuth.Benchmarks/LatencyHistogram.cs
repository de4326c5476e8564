using System.Diagnostics;

namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// A single-writer latency histogram in nanoseconds: exact below 2,048 ns, then 1,024 buckets per power of two
/// (about 0.1 % precision), so that recording costs an array increment and never allocates.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Exact = 2048;
    private const int SubBuckets = 1024;
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private readonly long[] _counts = new long[Exact + (40 * SubBuckets)];

    public long Count { get; private set; }

    public long MaxNanoseconds { get; private set; }

    public void RecordTicks(long ticks)
    {
        long ns = (long)(ticks * NanosecondsPerTick);
        _counts[Index(ns)]++;
        Count++;
        if (ns > MaxNanoseconds)
        {
            MaxNanoseconds = ns;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        MaxNanoseconds = Math.Max(MaxNanoseconds, other.MaxNanoseconds);
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Count = 0;
        MaxNanoseconds = 0;
    }

    /// <summary>The upper bound of the bucket holding the given quantile (0..1), in nanoseconds.</summary>
    public long Percentile(double quantile)
    {
        long rank = (long)Math.Ceiling(quantile * Count);
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank && seen > 0)
            {
                return Math.Min(UpperBound(i), MaxNanoseconds);
            }
        }

        return MaxNanoseconds;
    }

    /// <summary>How many recorded values were at least <paramref name="nanoseconds"/> (to bucket precision).</summary>
    public long CountAtLeast(long nanoseconds)
    {
        long total = 0;
        for (int i = Index(nanoseconds); i < _counts.Length; i++)
        {
            total += _counts[i];
        }

        return total;
    }

    private static int Index(long ns)
    {
        if (ns < Exact)
        {
            return (int)Math.Max(ns, 0);
        }

        int exponent = 63 - (int)long.LeadingZeroCount(ns) - 10; // ns >> exponent is in [1024, 2048)
        int index = Exact + ((exponent - 1) * SubBuckets) + (int)((ns >> exponent) - SubBuckets);
        return Math.Min(index, (Exact + (40 * SubBuckets)) - 1);
    }

    private static long UpperBound(int index)
    {
        if (index < Exact)
        {
            return index;
        }

        int exponent = ((index - Exact) / SubBuckets) + 1;
        long sub = ((index - Exact) % SubBuckets) + SubBuckets;
        return ((sub + 1) << exponent) - 1;
    }
}
