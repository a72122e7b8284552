using System.Globalization;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Output;

/// <summary>How numbers and times look in tables.</summary>
internal static class DisplayFormat
{
    public const string None = "-";

    public const string Unlimited = "unlimited";

    private static readonly string[] BinaryUnits = ["", "Ki", "Mi", "Gi", "Ti", "Pi"];

    /// <summary>IEC units as room.yaml writes memory: 268435456 → "256Mi", 1610612736 → "1.5Gi".</summary>
    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < BinaryUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + BinaryUnits[unit];
    }

    /// <summary>A time and how far ahead it is ("2026-12-07 14:05:00Z (in 2h)"), or that it passed.</summary>
    public static string Ahead(DateTimeOffset at, DateTimeOffset now) =>
        at > now ? $"{Time(at)} (in {Age(now, at)})" : $"{Time(at)} (passed)";

    /// <summary>Age as kubectl shows it: 45s, 12m, 5h, 3d.</summary>
    public static string Age(DateTimeOffset since, DateTimeOffset now)
    {
        var age = now - since;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age switch
        {
            _ when age < TimeSpan.FromMinutes(1) => $"{(int)age.TotalSeconds}s",
            _ when age < TimeSpan.FromHours(1) => $"{(int)age.TotalMinutes}m",
            _ when age < TimeSpan.FromDays(1) => $"{(int)age.TotalHours}h",
            _ => $"{(int)age.TotalDays}d",
        };
    }

    public static string Percent(double fraction) =>
        (Math.Clamp(fraction, 0, 1) * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string Time(DateTimeOffset time) =>
        time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string LogTime(DateTimeOffset time) =>
        time.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string OrNone(string? value) => string.IsNullOrEmpty(value) ? None : value;

    /// <summary>A count limit: "8", or "unlimited" when there is none.</summary>
    public static string Limit(int? limit) => limit is { } value ? Number(value) : Unlimited;

    /// <summary>A size limit: "16Gi", or "unlimited" when there is none.</summary>
    public static string BytesLimit(long? limit) => limit is { } value ? Bytes(value) : Unlimited;

    /// <summary>
    /// A quota override in one cell: "cpus=4 memory=8Gi", only the limits it sets; <paramref name="none"/>
    /// when it sets none.
    /// </summary>
    public static string Quota(QuotaLimits? limits, string none = None)
    {
        if (limits is null)
        {
            return none;
        }

        var parts = new List<string>();
        if (limits.Cpus is { } cpus)
        {
            parts.Add($"cpus={Number(cpus)}");
        }

        if (limits.MemoryBytes is { } memory)
        {
            parts.Add($"memory={Bytes(memory)}");
        }

        if (limits.DiskBytes is { } disk)
        {
            parts.Add($"disk={Bytes(disk)}");
        }

        if (limits.RunningVms is { } running)
        {
            parts.Add($"running-vms={Number(running)}");
        }

        return parts.Count == 0 ? none : string.Join(' ', parts);
    }
}
