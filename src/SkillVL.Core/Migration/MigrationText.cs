using System.Globalization;

namespace SkillVL.Core.Migration;

/// <summary>Numbers as the reasons for the UI and logs write them: "1.5 GiB", "20 MiB/s", "250 ms".</summary>
internal static class MigrationText
{
    public static string Bytes(double bytes) => Math.Abs(bytes) switch
    {
        >= 1L << 40 => Number(bytes / (1L << 40)) + " TiB",
        >= 1L << 30 => Number(bytes / (1L << 30)) + " GiB",
        >= 1L << 20 => Number(bytes / (1L << 20)) + " MiB",
        >= 1L << 10 => Number(bytes / (1L << 10)) + " KiB",
        _ => Number(bytes) + " B",
    };

    /// <summary>Memory and disk rates in binary bytes, as QEMU reports them.</summary>
    public static string MemoryRate(DataRate rate) => Bytes(rate.BytesPerSecond) + "/s";

    public static string Duration(TimeSpan duration)
    {
        if (duration == TimeSpan.MaxValue)
        {
            return "never";
        }

        return duration.TotalSeconds switch
        {
            < 1 => Number(duration.TotalMilliseconds, "0.#") + " ms",
            < 120 => Number(duration.TotalSeconds, "0.##") + " s",
            < 7200 => Number(duration.TotalMinutes) + " min",
            _ => Number(duration.TotalHours) + " h",
        };
    }

    public static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => Number(fraction * 100, "0.##") + " %";

    private static string Number(double value, string format = "0.#") => value.ToString(format, CultureInfo.InvariantCulture);
}
