using System.Diagnostics;

namespace SkillVL.Testbed.Linux;

/// <summary>Runs a host tool to completion, bounded by a timeout (the tool is killed when it runs over).</summary>
internal static class HostCommand
{
    /// <summary>
    /// Ten seconds for an iproute2 or sysctl call, which normally takes milliseconds: long enough for a host under
    /// load (rtnl lock contention while other tests make bridges), short enough that a hang is reported.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new TestbedException($"cannot start {fileName}");
        process.StandardInput.Close();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
            return new CommandResult(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            // Our own child, by its Process handle: never anything else.
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TestbedException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Runs and throws a <see cref="TestbedException"/> with the tool's stderr when it fails.</summary>
    public static async Task<string> RunCheckedAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(fileName, arguments, DefaultTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new TestbedException($"{fileName} {string.Join(' ', arguments)} failed (exit {result.ExitCode}): {result.Stderr.Trim()}");
        }

        return result.Stdout;
    }
}
