using System.Globalization;
using System.Text.RegularExpressions;

namespace SkillVL.Core.Migration;

/// <summary>
/// Rates and durations as the API and CLI take them: "50Mbit", "1.5Gbit/s", "100MiB/s", "20MB/s"; "300ms", "2s",
/// "1.5m". Bits are decimal (as <c>tc</c> and link vendors count), bytes with "i" binary. A number without a unit is
/// refused: a bare "50" could be bits or bytes. Negative and zero values parse, so that
/// <see cref="MigrationRequestValidator"/> can say what is wrong with them.
/// </summary>
public static partial class MigrationQuantities
{
    public const string RateExpected = "use e.g. 50Mbit, 1Gbit, 100MiB/s or 20MB/s";

    public const string DurationExpected = "use e.g. 300ms, 2s or 1m";

    public static bool TryParseRate(string? text, out DataRate rate)
    {
        rate = default;
        var match = RatePattern().Match(text?.Trim() ?? "");
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var unit = match.Groups["u"].Value;
        double bytesPerSecond = unit.ToLowerInvariant() switch
        {
            "bit" => number / 8,
            "kbit" => number * 1e3 / 8,
            "mbit" => number * 1e6 / 8,
            "gbit" => number * 1e9 / 8,
            _ => unit switch
            {
                "B" => number,
                "KB" or "kB" => number * 1e3,
                "MB" => number * 1e6,
                "GB" => number * 1e9,
                "KiB" => number * (1L << 10),
                "MiB" => number * (1L << 20),
                "GiB" => number * (1L << 30),
                _ => double.NaN,
            },
        };
        if (double.IsNaN(bytesPerSecond) || Math.Abs(bytesPerSecond) > long.MaxValue / 2.0)
        {
            return false;
        }

        rate = new DataRate((long)Math.Round(bytesPerSecond));
        return true;
    }

    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        var match = DurationPattern().Match(text?.Trim() ?? "");
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var milliseconds = match.Groups["u"].Value switch
        {
            "us" => number / 1000,
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            _ => number * 86_400_000,
        };
        if (Math.Abs(milliseconds) > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    [GeneratedRegex(@"^(?<n>-?\d+(\.\d+)?)\s*(?<u>[A-Za-z]+?)(/s|ps)?$")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^(?<n>-?\d+(\.\d+)?)\s*(?<u>us|ms|s|m|h|d)$")]
    private static partial Regex DurationPattern();
}
