using System.Globalization;

namespace SkillVL.Core.Migration;

/// <summary>
/// A rate of data in bytes per second: a link's bandwidth, a guest's page-dirty rate, a disk's write rate.
/// Links are quoted in bits (decimal: 1 Mbit/s = 125 000 B/s, as link vendors and <c>tc</c> count them), memory
/// rates in binary bytes (1 MiB/s = 1 048 576 B/s, as QEMU reports dirty pages); both end up as bytes per second
/// here so the pre-copy model compares like with like. Negative values are representable so that
/// <see cref="MigrationRequestValidator"/> can name them instead of a constructor throwing.
/// </summary>
/// <param name="BytesPerSecond">Bytes per second.</param>
public readonly record struct DataRate(long BytesPerSecond) : IComparable<DataRate>
{
    /// <summary>No data at all (an idle guest's dirty rate, a disk nobody writes).</summary>
    public static DataRate Zero => default;

    /// <summary>Megabits per second, decimal (10^6 bit/s).</summary>
    public double MegabitsPerSecond => BytesPerSecond * 8 / 1e6;

    /// <summary>Mebibytes per second (2^20 B/s).</summary>
    public double MebibytesPerSecond => BytesPerSecond / (double)(1L << 20);

    /// <summary>A link rate in decimal megabits per second (50 → 6 250 000 B/s).</summary>
    public static DataRate FromMegabitsPerSecond(double megabits) => new((long)Math.Round(megabits * 1e6 / 8));

    /// <summary>A link rate in decimal gigabits per second (1 → 125 000 000 B/s).</summary>
    public static DataRate FromGigabitsPerSecond(double gigabits) => new((long)Math.Round(gigabits * 1e9 / 8));

    /// <summary>A memory or disk rate in mebibytes per second (1 → 1 048 576 B/s).</summary>
    public static DataRate FromMebibytesPerSecond(double mebibytes) => new((long)Math.Round(mebibytes * (1L << 20)));

    /// <summary>The smaller of two rates.</summary>
    public static DataRate Min(DataRate a, DataRate b) => a.BytesPerSecond <= b.BytesPerSecond ? a : b;

    public int CompareTo(DataRate other) => BytesPerSecond.CompareTo(other.BytesPerSecond);

    public static bool operator <(DataRate left, DataRate right) => left.BytesPerSecond < right.BytesPerSecond;

    public static bool operator >(DataRate left, DataRate right) => left.BytesPerSecond > right.BytesPerSecond;

    public static bool operator <=(DataRate left, DataRate right) => left.BytesPerSecond <= right.BytesPerSecond;

    public static bool operator >=(DataRate left, DataRate right) => left.BytesPerSecond >= right.BytesPerSecond;

    /// <summary>Bits per second in the largest unit that keeps a number ≥ 1: "50 Mbit/s", "1.25 Gbit/s".</summary>
    public override string ToString()
    {
        var bits = BytesPerSecond * 8.0;
        return Math.Abs(bits) switch
        {
            >= 1e9 => Format(bits / 1e9, "Gbit/s"),
            >= 1e6 => Format(bits / 1e6, "Mbit/s"),
            >= 1e3 => Format(bits / 1e3, "kbit/s"),
            _ => Format(bits, "bit/s"),
        };
    }

    private static string Format(double value, string unit) =>
        value.ToString("0.##", CultureInfo.InvariantCulture) + " " + unit;
}
