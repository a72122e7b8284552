using System.Numerics;

namespace SkillVL.LinkEmulator.Relay;

/// <summary>
/// How late frames were written compared with their due time — the emulator's own delay error — in
/// power-of-two microsecond buckets (bucket i holds [2^(i-1), 2^i) µs; bucket 0 holds under 1 µs). Written by one
/// thread, read by another for stats; each counter is read atomically.
/// </summary>
public sealed class LatenessHistogram
{
    private const int Buckets = 32;
    private readonly long[] _counts = new long[Buckets];
    private long _total;
    private long _sumMicroseconds;
    private long _maxMicroseconds;

    public void Record(long microseconds)
    {
        microseconds = Math.Max(0, microseconds);
        var bucket = microseconds == 0 ? 0 : Math.Min(Buckets - 1, BitOperations.Log2((ulong)microseconds) + 1);
        Volatile.Write(ref _counts[bucket], _counts[bucket] + 1);
        Volatile.Write(ref _sumMicroseconds, _sumMicroseconds + microseconds);
        Volatile.Write(ref _total, _total + 1);
        if (microseconds > _maxMicroseconds)
        {
            Volatile.Write(ref _maxMicroseconds, microseconds);
        }
    }

    public LatenessSummary Summarize()
    {
        var counts = new long[Buckets];
        for (var i = 0; i < Buckets; i++)
        {
            counts[i] = Volatile.Read(ref _counts[i]);
        }

        var total = counts.Sum();
        var sum = Volatile.Read(ref _sumMicroseconds);
        return new LatenessSummary(
            total,
            total == 0 ? 0 : (double)sum / total,
            UpperBound(counts, total, 0.99),
            Volatile.Read(ref _maxMicroseconds));
    }

    /// <summary>The upper edge of the bucket holding the <paramref name="quantile"/> (an upper bound of it, within a factor of two).</summary>
    private static long UpperBound(long[] counts, long total, double quantile)
    {
        if (total == 0)
        {
            return 0;
        }

        var target = (long)Math.Ceiling(total * quantile);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= target)
            {
                return i == 0 ? 1 : 1L << i;
            }
        }

        return long.MaxValue;
    }
}
