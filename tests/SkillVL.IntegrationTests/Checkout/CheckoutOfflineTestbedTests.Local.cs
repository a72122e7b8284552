using System.Diagnostics;
using System.Globalization;
using SkillVL.Testbed.State;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Checkout;

/// <summary>The owner's side while laptop1 is cut off: the agent's local socket (console, stop, start) and its restart.</summary>
public sealed partial class CheckoutOfflineTestbedTests
{
    /// <summary>The agent's command as the testbed recorded it, without the one-time join token's file: it restarts on the
    /// credential it kept.</summary>
    private static Process StartAgentAgain(NodeState node)
    {
        var command = node.Agent!.Command.ToList();
        var token = command.IndexOf("--join-token-file");
        Assert.True(token >= 0, "the testbed starts its agents with --join-token-file: " + string.Join(' ', command));
        command.RemoveRange(token, 2);
        var start = new ProcessStartInfo("bash") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >>" + node.Agent.Log + " 2>&1");
        start.ArgumentList.Add("agent");
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the agent again");
    }

    private async Task ConsoleAsync(string ns, string socket, string vm, string send, string expect, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var seconds = limit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        var result = await LocalRunAsync(ns, socket, "console", vm, "--send", send.Replace("\r", "\\r", StringComparison.Ordinal), "--expect", expect, "--timeout", seconds + "s");
        output.WriteLine($"console {vm} → {result.ExitCode}: {result.Stdout.Trim()} {result.Stderr.Trim()}");
        Assert.True(result.ExitCode == 0, $"console {vm}: no '{expect}': {result.Stdout}{result.Stderr}");
    }

    private async Task<string> LocalAsync(string ns, string socket, params string[] arguments)
    {
        var result = await LocalRunAsync(ns, socket, arguments);
        output.WriteLine($"skillvl-agent {string.Join(' ', arguments)} → {result.ExitCode}\n{result.Stdout}{result.Stderr}");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        return result.Stdout;
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> LocalRunAsync(string ns, string socket, params string[] arguments) =>
        HostTools.RunAsync("ip", ["netns", "exec", ns, "dotnet", AgentDll, .. arguments, "--socket", socket], TimeSpan.FromMinutes(2));

    /// <summary>On a failure: what each node's agent logged last, so a CI failure can be read without a rerun.</summary>
    private void DumpAgentLogs(Nodes.MigrationTestbedTests.Bed bed)
    {
        foreach (var node in new[] { "node1", "laptop1" })
        {
            var log = Path.Combine(bed.State, "nodes", node, "agent.log");
            var lines = File.Exists(log) ? File.ReadLines(log).ToList() : [];
            output.WriteLine($"--- {node} agent.log (tail) ---\n" + string.Join('\n', lines.TakeLast(40)));
            if (lostVm is not null)
            {
                output.WriteLine($"--- {node} agent.log, lines naming {lostVm.Id} ---\n" + string.Join('\n', lines.Where(l => l.Contains(lostVm.Id, StringComparison.Ordinal)).TakeLast(60)));
            }
        }
    }
}
