using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace SkillVL.Server.Logging;

/// <summary>
/// The console's format (stdout: `--foreground`, systemd's journal): one <see cref="LogLine"/> per record, redacted,
/// so what a service manager keeps carries no token either.
/// </summary>
public sealed class RedactingConsoleFormatter(TimeProvider time) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "skillvl";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(LogLine.Format(time.GetUtcNow(), logEntry.LogLevel, logEntry.Category, logEntry.EventId, message, logEntry.Exception));
        textWriter.Write('\n');
    }
}
