using System.Diagnostics;

namespace SkillVL.TestUtilities;

/// <summary>Runs host tools from tests (bounded) and checks prerequisites: a missing one fails the test, never skips it.</summary>
public static class HostTools
{
    public static bool IsRoot => Environment.UserName == "root" || GetUid() == 0;

    /// <summary>Fails when not root: the tests that need root must not pass by doing nothing.</summary>
    public static void RequireRoot()
    {
        if (!IsRoot)
        {
            throw new InvalidOperationException("This test needs root (bridges, taps, QEMU). Run the suite as root.");
        }
    }

    /// <summary>Fails when <paramref name="tool"/> is not on PATH.</summary>
    public static void RequireTool(string tool, string debianPackage)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
        if (!found)
        {
            throw new InvalidOperationException($"{tool} is missing: apt-get install -y {debianPackage}");
        }
    }

    /// <summary>Runs a tool and returns (exit code, stdout, stderr); kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Cannot start {fileName}.");
        using var cts = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', startInfo.ArgumentList)} did not finish within {timeout.TotalSeconds:0.#} s.");
        }
    }

    private static uint GetUid()
    {
        // /proc/self/status "Uid:	0	0	0	0"; avoids P/Invoke in a test helper.
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: > 1 } && uint.TryParse(fields[1], out var uid) ? uid : uint.MaxValue;
        }
        catch (IOException)
        {
            return uint.MaxValue;
        }
    }
}
