using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Testbed.State;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;
using static SkillVL.IntegrationTests.Nodes.MigrationTestbedTests;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 12, Deliver 4 on a real testbed (ADR 0024): two VMs of one room on a client behind NAT; its link is cut for two
/// minutes. While cut, the owner's local commands work with no Server: the serial console through the agent's local
/// socket (log in, run a command), VM A pings VM B over the room's bridge on the client, B is stopped and started
/// locally; then the client "restarts" (its agent and B's QEMU killed by pid, the agent started again as the testbed
/// starts it): A, still running, is re-adopted, B is brought back by a cold boot. Link up: the node is back, one QEMU per
/// VM in the whole testbed, A's counter ran through it all, and the Server shows what happened offline.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class OfflineClientTestbedTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Cut = TimeSpan.FromMinutes(2);
    private static readonly string AgentDll = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll");

    [Fact]
    public async Task LinkCutTwoMinutes_LocalConsolePingStopStart_ClientRestartRestores_ReconnectsNoDuplicate_ServerShowsEvents()
    {
        await using var server = await ServerHarness.StartAsync();
        await using var bed = await Bed.UpAsync(server, output, nodes: 1, client: "laptop1", bandwidth: "50mbit", rtt: "40ms", behindNat: true);
        await server.ApplyAsync("""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: home }
            networks:
              - { name: lan, cidr: 10.65.0.0/24 }
            machines:
              - { name: vm, template: tiny, node: node1, nics: [{ network: lan, ip: 10.65.0.10 }] }
              - { name: peer, template: tiny, node: node1, nics: [{ network: lan, ip: 10.65.0.11 }] }
            """);
        foreach (var machine in new[] { "vm", "peer" })
        {
            var moved = await MigrateUntilMovedAsync(server, new CreateMigrationRequest("home/" + machine, "laptop1"), output);
            Assert.True(moved.State == MigrationStates.Succeeded, $"{machine}: {moved.Error}");
        }

        var laptop = (await bed.StatusAsync())!.Nodes.Single(n => n.Name == "laptop1");
        var state = JsonSerializer.Deserialize<TestbedState>(await File.ReadAllTextAsync(Path.Combine(bed.State, "testbed.json")), JsonSerializerOptions.Web)!
            .Nodes.Single(n => n.Name == "laptop1");
        var socket = Path.Combine(state.Directory, "run", "local.sock");
        var vm = await server.GetMachineAsync("home", "vm");
        var peer = await server.GetMachineAsync("home", "peer");
        var bootId = await BootIdAsync(server, "home", "vm");
        var counter = await StartCounterAsync(server, "home", "vm");
        var before = await CounterAsync(server, "home", "vm", counter);
        var vmQemu = Assert.Single(ProcessReaper.ProcessesMentioning(vm.Id));

        // The socket is root's alone.
        Assert.Equal("0 600", (await HostTools.RunAsync("stat", ["-c", "%u %a", socket], TimeSpan.FromSeconds(10))).Stdout.Trim());

        await bed.SetClientLinkAsync(up: false);
        var cut = Stopwatch.StartNew();
        Process? restarted = null;
        try
        {
            await WaitNodeAsync(server, state => state != "ready", "laptop1 to be seen as away");

            // And the agent knows it too (its WebSocket's keep-alive gave up): what it does now, it does offline.
            await Bounded.WaitUntilAsync(
                () => File.ReadAllText(state.Agent!.Log).Contains("lost; reconnecting", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the agent to notice the cut", TimeSpan.FromSeconds(1));

            // The serial console of A through the local socket, inside the client's namespace: log in, run a command.
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "\r", "login:");
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "root\r", "assword:");
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "skillvl\r", "#");
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "echo offline-$((6*7))\r", "offline-42");

            // A reaches B over the room network: both taps are on the room's bridge on the client.
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "ping -c 3 -W 2 10.65.0.11 >/dev/null && echo peer-$((6*7))\r", "peer-42", TimeSpan.FromSeconds(30));

            // B stopped and started by its owner, locally.
            await LocalAsync(laptop.Namespace, socket, "stop", "home/peer");
            Assert.Contains("stopped", (await LocalAsync(laptop.Namespace, socket, "vms")).Split('\n').Single(l => l.StartsWith("home/peer ", StringComparison.Ordinal)), StringComparison.Ordinal);
            await LocalAsync(laptop.Namespace, socket, "start", "home/peer");
            await ConsoleAsync(laptop.Namespace, socket, "home/peer", "\r", "login:", TimeSpan.FromSeconds(90));

            // The client restarts: agent and B's QEMU killed (by pid), the agent started again with the link still down.
            var agentPid = state.Agent!.Pid;
            var peerQemu = Assert.Single(ProcessReaper.ProcessesMentioning(peer.Id));
            Process.GetProcessById(agentPid).Kill();
            Process.GetProcessById(peerQemu).Kill();
            await Bounded.WaitUntilAsync(() => Task.FromResult(!File.Exists($"/proc/{agentPid}") && !File.Exists($"/proc/{peerQemu}")), TimeSpan.FromSeconds(20), "agent and QEMU gone");
            restarted = StartAgentAgain(state);
            await Bounded.WaitUntilAsync(
                async () => (await LocalRunAsync(laptop.Namespace, socket, "vms")).ExitCode == 0, TimeSpan.FromSeconds(60), "the restarted agent's local socket", TimeSpan.FromSeconds(1));
            await ConsoleAsync(laptop.Namespace, socket, "home/peer", "\r", "login:", TimeSpan.FromSeconds(90));
            Assert.Equal([vmQemu], ProcessReaper.ProcessesMentioning(vm.Id)); // A re-adopted, not started again

            var left = Cut - cut.Elapsed;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left);
            }
        }
        finally
        {
            await bed.SetClientLinkAsync(up: true);
        }

        var offline = cut.Elapsed;
        output.WriteLine($"laptop1 was cut off for {offline.TotalSeconds:0.0} s");
        Assert.True(offline >= Cut, $"the cut lasted {offline}");
        var back = Stopwatch.StartNew();
        await WaitNodeAsync(server, state => state == "ready", "laptop1 to be back");
        output.WriteLine($"laptop1 back {back.Elapsed.TotalSeconds:0.0} s after the link came up");

        var deleted = false;
        try
        {
            // A ran on through everything: same boot, its counter advanced (10 a second).
            Assert.Equal(bootId, await BootIdAsync(server, "home", "vm"));
            var after = await CounterAsync(server, "home", "vm", counter);
            output.WriteLine($"counter {before} before the cut, {after} after");
            Assert.True(after - before >= Cut.TotalSeconds * 10 * 0.5, $"the counter went from {before} to {after}");

            // B runs again (desired: running, as the owner's last local action said) and the Server configures it again.
            await Bounded.WaitUntilAsync(
                async () => (await server.ExecAsync("home", "vm", "ping", "-c", "1", "-W", "2", "10.65.0.11")).ExitCode == 0,
                TimeSpan.FromSeconds(120), "A to reach B after the link came back", TimeSpan.FromSeconds(2));
            Assert.Equal("running", (await server.GetMachineAsync("home", "peer")).DesiredState);
            Assert.Single(ProcessReaper.ProcessesMentioning(vm.Id));
            Assert.Single(ProcessReaper.ProcessesMentioning(peer.Id));

            var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=machine.local.", ServerHarness.Json))!;
            foreach (var entry in audit)
            {
                output.WriteLine($"{entry.At:O} {entry.Action} {entry.Target} {entry.Outcome}: {entry.Detail}");
            }

            foreach (var action in new[] { "stopped-locally", "started-locally", "restored-after-restart" })
            {
                Assert.Contains(audit, a => a.Action == "machine.local." + action && a.Target == "home/peer" && a.Outcome == "recorded" && a.Detail!.Contains("while offline", StringComparison.Ordinal));
            }

            await server.DeleteRoomAsync("home");
            deleted = true;
        }
        finally
        {
            if (!deleted)
            {
                // A failed check above must surface, not the testbed's refusal to remove a node that still has machines.
                using var _ = await server.Client.DeleteAsync(ApiPaths.Room("home"));
                await Bounded.WaitUntilAsync(
                    async () => (await server.Client.GetAsync(ApiPaths.Room("home"))).StatusCode == System.Net.HttpStatusCode.NotFound,
                    TimeSpan.FromMinutes(2), "the room to be deleted", TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            if (restarted is not null)
            {
                restarted.Kill(entireProcessTree: true);
                await restarted.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                restarted.Dispose();
            }
        }
    }

    /// <summary>The agent's command as the testbed recorded it, without the one-time join token (the credential is kept).</summary>
    private static Process StartAgentAgain(NodeState node)
    {
        var command = node.Agent!.Command.ToList();
        var token = command.IndexOf("--join-token");
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

    private static async Task WaitNodeAsync(ServerHarness server, Func<string, bool> wanted, string what) =>
        await Bounded.WaitUntilAsync(
            async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == "laptop1" && wanted(n.State)),
            TimeSpan.FromSeconds(90),
            what,
            TimeSpan.FromMilliseconds(500));
}
