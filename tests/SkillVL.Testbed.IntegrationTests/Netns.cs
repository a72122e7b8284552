using SkillVL.TestUtilities;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>Commands inside a testbed namespace (<c>ip netns exec</c>), bounded.</summary>
internal static class Netns
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string @namespace, TimeSpan timeout, params string[] command) =>
        HostTools.RunAsync("ip", ["netns", "exec", @namespace, .. command], timeout);

    /// <summary>Runs and throws with the output when the command fails.</summary>
    public static async Task<string> ExecAsync(string @namespace, TimeSpan timeout, params string[] command)
    {
        var (exitCode, stdout, stderr) = await RunAsync(@namespace, timeout, command);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip netns exec {@namespace} {string.Join(' ', command)} exited {exitCode}:\n{stdout}\n{stderr}");
        }

        return stdout;
    }
}
