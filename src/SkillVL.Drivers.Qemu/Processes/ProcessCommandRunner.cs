using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;

namespace SkillVL.Drivers.Qemu.Processes;

/// <summary><see cref="ICommandRunner"/> over <see cref="Process"/>.</summary>
public sealed class ProcessCommandRunner : ICommandRunner
{
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ProcessCommandRunner(TimeProvider timeProvider, ILogger<ProcessCommandRunner> logger)
    {
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<CommandResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The tools' messages are parsed in a few places (e.g. "Cannot find device"); keep them in English.
        startInfo.Environment["LC_ALL"] = "C";

        var commandText = fileName + " " + string.Join(' ', arguments);
        _logger.CommandStarting(commandText);
        var started = _timeProvider.GetTimestamp();
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new DriverException($"Cannot run {fileName}: {e.Message}", isTransient: false, e);
        }

        process.StandardInput.Close();
        using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var stdoutTask = process.StandardOutput.ReadToEndAsync(linked.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token);
            var stdout = await stdoutTask;
            var stderr = await stderrTask;
            var elapsed = _timeProvider.GetElapsedTime(started);
            _logger.CommandFinished(fileName, process.ExitCode, elapsed);
            return new CommandResult(process.ExitCode, stdout, stderr);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new DriverException($"{commandText} did not finish within {timeout.TotalSeconds:0.#} s.", isTransient: true);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            // Only the process we started (and its children): never anything found by name.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
