using SkillVL.Cli.Configuration;
using Spectre.Console;

namespace SkillVL.Cli.Tests;

/// <summary>Runs the CLI in-process against a <see cref="FakeHttpHandler"/>, capturing stdout and stderr.</summary>
internal sealed class CliHarness
{
    /// <summary>Every test's CLI run is bounded; none should take more than a moment.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    public FakeHttpHandler Handler { get; } = new();

    public Dictionary<string, string> Environment { get; } = new() { ["SKILLVL_SERVER"] = "http://127.0.0.1:8080", ["SKILLVL_TOKEN"] = "secret" };

    public string HomeDirectory { get; init; } = "/nonexistent-home";

    public string SystemConfigPath { get; init; } = "/nonexistent-etc/cli.json";

    public string Stdin { get; init; } = "";

    /// <summary>The clock; <see cref="InstantTimeProvider"/> makes waits (device login polling) pass at once.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Pretend stdout is a terminal: Spectre tables and the live progress display.</summary>
    public bool IsTerminal { get; init; }

    public async Task<CliRun> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext
        {
            Out = stdout,
            Error = stderr,
            In = new StringReader(Stdin),
            Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(stdout),
            }),
            IsTerminal = IsTerminal,
            Environment = new CliEnvironment(name => Environment.GetValueOrDefault(name), HomeDirectory, SystemConfigPath),
            HttpClientFactory = _ => new HttpClient(Handler, disposeHandler: false),
            PollInterval = TimeSpan.Zero,
            TimeProvider = TimeProvider,
        };

        using var timeout = new CancellationTokenSource(RunTimeout);
        var exitCode = await CliApplication.RunAsync(args, context, timeout.Token);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}
