using System.Globalization;

namespace SkillVL.Core.Rooms;

/// <summary>The durations of a room's lifetime: a whole number and one unit, s, m, h or d ("90s", "8h", "7d").</summary>
public static class LifetimeDuration
{
    /// <summary>Shortest lifetime step: shorter would stop a room before its machines are up.</summary>
    public static readonly TimeSpan Min = TimeSpan.FromSeconds(10);

    /// <summary>Longest: a year and a day, so every date stays far from overflow.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(366);

    /// <summary>The room schema's pattern for these strings (a test keeps the schema to it).</summary>
    public const string Pattern = "^[1-9][0-9]{0,6}[smhd]$";

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrEmpty(text) || text.Length < 2 || text.Length > 8 || text[0] == '0'
            || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            return false;
        }

        var seconds = text[^1] switch
        {
            's' => 1L,
            'm' => 60L,
            'h' => 3600L,
            'd' => 86400L,
            _ => 0L,
        };
        if (seconds == 0)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(count * seconds);
        return true;
    }

    /// <summary>What is wrong with <paramref name="text"/> as a lifetime duration, or null when it is one.</summary>
    public static string? Problem(string text) =>
        !TryParse(text, out var duration) ? $"'{text}' is not a duration: a whole number and s, m, h or d, e.g. 90s, 45m, 8h, 7d"
        : duration < Min ? $"'{text}' is shorter than {Min.TotalSeconds:0}s"
        : duration > Max ? $"'{text}' is longer than {Max.TotalDays:0}d"
        : null;
}
