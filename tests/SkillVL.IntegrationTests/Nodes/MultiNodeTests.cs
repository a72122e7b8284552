using System.Diagnostics;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.Testbed;
using SkillVL.Testbed.Planning;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 5's done-when on a real testbed: two nodes, each a network namespace with its own `skillvl-agent`, joined
/// by an underlay bridge. A room whose VMs are forced onto different nodes talks through VXLAN (1422-byte DF
/// pings pass, 1423 do not); a second room with the same CIDR on the same nodes cannot reach the first; killing a
/// node's agent leaves its VM running, and a restarted agent re-adopts it.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class MultiNodeTests(ITestOutputHelper output)
{
    private static string Room(string name, string extraAddress = "") => $$"""
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: {{name}} }
        networks:
          - { name: lan, cidr: 10.50.0.0/24 }
        machines:
          - { name: a, template: tiny, node: node1, nics: [{ network: lan, ip: 10.50.0.10 }] }
          - { name: b, template: tiny, node: node2, nics: [{ network: lan, ip: 10.50.0.11 }] }
        """;

    [Fact]
    public async Task VmsOnTwoNodes_TalkThroughVxlan_RoomsIsolated_AgentKillKeepsVmRunning()
    {
        await using var server = await ServerHarness.StartAsync();
        var state = Path.Combine(server.Root, "testbed");
        var prefix = "it" + Guid.NewGuid().ToString("N")[..4];
        var subnet = await FreeUnderlay.PickAsync();
        var testbed = new TestbedController(new StringWriter());
        AgentProcess? restarted = null;
        try
        {
            var clock = Stopwatch.StartNew();
            await testbed.UpAsync(
                new UpRequest
                {
                    Nodes = 2,
                    Prefix = prefix,
                    Subnet = subnet,
                    StateDirectory = state,
                    Server = "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"),
                    AdminToken = server.AdminToken,
                    AgentCommand = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll"),
                },
                CancellationToken.None);
            await WaitNodesAsync(server, "ready", "node1", "node2");
            output.WriteLine($"testbed with 2 nodes ready in {clock.Elapsed.TotalSeconds:F1} s");

            clock.Restart();
            await server.ApplyAsync(Room("span"));
            output.WriteLine($"room over 2 nodes ready in {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal("node1", (await server.GetMachineAsync("span", "a")).Node);
            Assert.Equal("node2", (await server.GetMachineAsync("span", "b")).Node);

            // Through VXLAN: reachable, and the path MTU is exactly 1450 (1422 + 28 bytes of IP/ICMP headers).
            Assert.Equal(0, (await server.ExecAsync("span", "a", "ping", "-c", "2", "-W", "2", "10.50.0.11")).ExitCode);
            var fits = await server.ExecAsync("span", "a", "ping", "-M", "do", "-s", "1422", "-c", "2", "-W", "2", "10.50.0.11");
            output.WriteLine(fits.Stdout + fits.Stderr);
            Assert.Equal(0, fits.ExitCode);
            var tooBig = await server.ExecAsync("span", "a", "ping", "-M", "do", "-s", "1423", "-c", "1", "-W", "2", "10.50.0.11");
            output.WriteLine(tooBig.Stdout + tooBig.Stderr);
            Assert.NotEqual(0, tooBig.ExitCode);

            // A second room, same CIDR and addresses, same two nodes: its own VNI; nothing crosses between them.
            await server.ApplyAsync(Room("twin"));
            Assert.Equal(0, (await server.ExecAsync("twin", "b", "ip", "addr", "add", "10.50.0.99/24", "dev", "eth0")).ExitCode);
            Assert.Equal(0, (await server.ExecAsync("twin", "a", "ping", "-c", "2", "-W", "2", "10.50.0.99")).ExitCode);
            Assert.NotEqual(0, (await server.ExecAsync("span", "a", "ping", "-c", "3", "-W", "1", "10.50.0.99")).ExitCode);

            // Kill node2's agent: the node goes unreachable, its VM runs on (checked inside the guest afterwards).
            var status = await testbed.StatusAsync(state, CancellationToken.None);
            var node2 = status!.Nodes.Single(n => n.Name == "node2");
            var before = (await server.ExecAsync("span", "b", "cat", "/proc/sys/kernel/random/boot_id")).Stdout;
            Process.GetProcessById(node2.Agent!.Pid).Kill();
            await WaitNodesAsync(server, "unreachable", "node2");
            await Task.Delay(TimeSpan.FromSeconds(3));

            // The same agent again (its credential is on disk, no join token), in node2's namespace.
            var nodeDirectory = Path.Combine(state, "nodes", "node2");
            restarted = AgentProcess.StartIn(
                node2.Namespace,
                "--server", "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"), "--name", "node2", "--kind", "server",
                "--underlay-address", node2.Address, "--data", Path.Combine(nodeDirectory, "data"), "--runtime", Path.Combine(nodeDirectory, "run"),
                "--accelerator", "tcg");
            await WaitNodesAsync(server, "ready", "node2");
            Assert.Equal(before, (await server.ExecAsync("span", "b", "cat", "/proc/sys/kernel/random/boot_id")).Stdout);
            Assert.Equal(0, (await server.ExecAsync("span", "b", "ping", "-c", "2", "-W", "2", "10.50.0.10")).ExitCode);
            Assert.Equal(2, ProcessReaper.ProcessesMentioning(Path.Combine(nodeDirectory, "run")).Count); // b of both rooms, no duplicate

            await server.DeleteRoomAsync("span");
            await server.DeleteRoomAsync("twin");
        }
        finally
        {
            if (restarted is not null)
            {
                output.WriteLine(restarted.Log);
                await restarted.DisposeAsync();
            }

            try
            {
                // Also removes the nodes at the Server, which refuses (and this throws) while a failed test's machines are
                // still on one: the reaper below still runs, and the test's own failure is what the run reports.
                await testbed.DownAsync(state, CancellationToken.None);
            }
            finally
            {
                await ProcessReaper.KillAllUnderAsync(state);
            }
        }
    }

    private static async Task WaitNodesAsync(ServerHarness server, string state, params string[] names) =>
        await Bounded.WaitUntilAsync(
            async () =>
            {
                var nodes = (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!;
                return names.All(name => nodes.Any(n => n.Name == name && n.State == state));
            },
            TimeSpan.FromSeconds(60),
            $"nodes {string.Join(", ", names)} to be {state}");
}
