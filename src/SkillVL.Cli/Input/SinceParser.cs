using System.Globalization;

namespace SkillVL.Cli.Input;

/// <summary>A point in time on the command line: an ISO 8601 time (2026-11-25T08:00:00Z), or a duration back from now (1h, 30m).</summary>
internal static class SinceParser
{
    public const string Expected = "use an ISO 8601 time (e.g. 2026-11-25T08:00:00Z) or a duration back from now (e.g. 1h, 30m)";

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset since)
    {
        if (DurationParser.TryParse(text, out var ago))
        {
            since = now - ago;
            return true;
        }

        // A time without an offset is taken as UTC, as the server stores and shows them.
        return DateTimeOffset.TryParse(
            text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out since);
    }

    /// <summary>ISO 8601 in UTC, second precision: 2026-11-25T08:00:00Z.</summary>
    public static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
