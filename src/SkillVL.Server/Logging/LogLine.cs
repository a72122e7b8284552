using System.Globalization;
using System.Text;

namespace SkillVL.Server.Logging;

/// <summary>
/// One log record as text, the same for the console and the log file: UTC time, level, category and event id, the
/// message and the exception — redacted (<see cref="LogRedaction"/>), since both end up in files others may read.
/// </summary>
public static class LogLine
{
    public static string Format(DateTimeOffset at, LogLevel level, string category, EventId eventId, string? message, Exception? exception)
    {
        var line = new StringBuilder(128 + (message?.Length ?? 0));
        line.Append(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            .Append(' ').Append(Level(level))
            .Append(' ').Append(category)
            .Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ")
            .Append(message);
        if (exception is not null)
        {
            line.Append('\n').Append(exception);
        }

        return LogRedaction.Redact(line.ToString())!;
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
