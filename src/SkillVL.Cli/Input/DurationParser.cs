using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SkillVL.Cli.Input;

/// <summary>Durations on the command line: "30s", "5m", "1h", "1m30s", "250ms", or a TimeSpan ("00:05:00").</summary>
internal static partial class DurationParser
{
    public const string Expected = "use e.g. 30s, 5m, 1h, 1m30s or hh:mm:ss";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var value = text.Trim();
        var match = UnitsPattern().Match(value);
        if (match.Success)
        {
            foreach (Capture part in match.Groups["part"].Captures)
            {
                var unitMatch = PartPattern().Match(part.Value);
                var number = double.Parse(unitMatch.Groups["n"].Value, CultureInfo.InvariantCulture);
                duration += unitMatch.Groups["u"].Value switch
                {
                    "ms" => TimeSpan.FromMilliseconds(number),
                    "s" => TimeSpan.FromSeconds(number),
                    "m" => TimeSpan.FromMinutes(number),
                    "h" => TimeSpan.FromHours(number),
                    _ => TimeSpan.FromDays(number),
                };
            }

            return duration > TimeSpan.Zero;
        }

        // TimeSpan.Parse reads a bare "30" as thirty *days*; ask for a colon so a forgotten unit is an error.
        return value.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration)
            && duration > TimeSpan.Zero;
    }

    /// <summary>Short human form for messages: 1h30m, 45s, 250ms.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return $"{(int)duration.TotalMilliseconds}ms";
        }

        var text = new StringBuilder();
        if (duration.Days > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Days}d");
        }

        if (duration.Hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Hours}h");
        }

        if (duration.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        if (duration.Seconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|s|m|h|d))+$")]
    private static partial Regex UnitsPattern();

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)(?<u>ms|s|m|h|d)$")]
    private static partial Regex PartPattern();
}
