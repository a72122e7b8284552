using SkillVL.Cli.Configuration;
using Spectre.Console;

namespace SkillVL.Cli;

/// <summary>
/// Everything a command touches outside itself, so tests run commands in-process against a fake HTTP handler
/// and string writers.
/// </summary>
internal sealed class CliContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    /// <summary>Bound to <see cref="Out"/>; used for live displays and tables when <see cref="IsTerminal"/>.</summary>
    public required IAnsiConsole Console { get; init; }

    /// <summary>Stdout is a terminal: live progress and Spectre tables. Otherwise plain lines that pipe and log well.</summary>
    public required bool IsTerminal { get; init; }

    public required CliEnvironment Environment { get; init; }

    /// <summary>Makes the client for the resolved server; the caller disposes it.</summary>
    public required Func<ConnectionSettings, HttpClient> HttpClientFactory { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How often a followed task is polled. Half a second keeps a progress bar lively at two small GETs a
    /// second, which a server doing a room apply does not notice.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public static CliContext ForProcess()
    {
        var isTerminal = !System.Console.IsOutputRedirected;
        return new CliContext
        {
            Out = System.Console.Out,
            Error = System.Console.Error,
            In = System.Console.In,
            Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) }),
            IsTerminal = isTerminal,
            Environment = CliEnvironment.FromProcess(),
            HttpClientFactory = _ => new HttpClient(new SocketsHttpHandler
            {
                // A refused or black-holed server should say so quickly; request timeouts are per call.
                ConnectTimeout = TimeSpan.FromSeconds(10),
            })
            {
                Timeout = Timeout.InfiniteTimeSpan,
            },
        };
    }
}
