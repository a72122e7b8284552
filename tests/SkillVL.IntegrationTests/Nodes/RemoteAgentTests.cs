using System.Net;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// A node agent as its own process (`skillvl-agent`) against the real Server: it enrols with a one-time join token,
/// connects out (here through the Server's unix socket), fetches the template it lacks, runs a machine placed on
/// it; killed, its VM keeps running and the node shows unreachable; restarted, it re-adopts the VM (same QEMU,
/// same boot) and everything is controllable again; revoked, it is cut off.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RemoteAgentTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: far }
        networks:
          - { name: lan, cidr: 10.40.0.0/24 }
        machines:
          - name: box
            template: tiny
            node: edge1
            nics: [{ network: lan, ip: 10.40.0.5 }]
        """;

    [Fact]
    public async Task Agent_EnrolsRunsMachine_SurvivesKill_ReadoptsOnRestart_IsRevoked()
    {
        await using var server = await ServerHarness.StartAsync();
        var socket = Path.Combine(server.RuntimeDirectory, "agent.sock");
        var agentData = Path.Combine(server.Root, "edge1", "data");
        var agentRun = Path.Combine(server.Root, "edge1", "run");
        string[] Args(string? token) => token is null
            ? ["--server", "unix:" + socket, "--name", "edge1", "--kind", "edge", "--data", agentData, "--runtime", agentRun, "--accelerator", "tcg"]
            : ["--server", "unix:" + socket, "--join-token", token, "--name", "edge1", "--kind", "edge", "--data", agentData, "--runtime", agentRun, "--accelerator", "tcg"];

        // Bad join tokens are refused (and audited), a student may not make one.
        using (var student = await Auth.Users.AddAndLoginAsync(server, "stu", PlatformRoles.Student))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await student.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(), ServerHarness.Json)).StatusCode);
        }

        await using (var forged = AgentProcess.Start(Args("svl_join_forged")))
        {
            Assert.Equal(1, await forged.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("refused the enrolment (401)", forged.Log, StringComparison.Ordinal);
        }

        var join = await Auth.Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        var agent = AgentProcess.Start(Args(join.Token));
        try
        {
            await WaitNodeAsync(server, "edge1", "ready");
            var nodeList = (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!;
            var edge = nodeList.Single(n => n.Name == "edge1");
            Assert.Equal(("edge", "tcg"), (edge.Kind, edge.Accelerator));
            Assert.True(edge.Cpus > 0 && edge.MemoryBytes > 0);

            // The same token again: refused.
            await using (var reuse = AgentProcess.Start(["--server", "unix:" + socket, "--join-token", join.Token, "--name", "edge2", "--data", Path.Combine(server.Root, "edge2"), "--runtime", Path.Combine(server.Root, "edge2r")]))
            {
                Assert.Equal(1, await reuse.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }

            var task = await server.ApplyAsync(Room);
            output.WriteLine(ServerHarness.Describe(task));
            var machine = await server.GetMachineAsync("far", "box");
            Assert.Equal("edge1", machine.Node);
            var bootId = (await server.ExecAsync("far", "box", "cat", "/proc/sys/kernel/random/boot_id")).Stdout;
            var pidFile = Path.Combine(agentRun, "vms", machine.Id, "qemu.pid");
            var qemuPid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Directory.Exists(Path.Combine(agentData, "templates")), "the agent fetched the template into its own store");
            // It came zstd-compressed (the Server keeps one compressed copy per file), and the store took it: the VM booted
            // from what the agent decompressed, and the store checked its content address.
            var template = Directory.GetDirectories(Path.Combine(server.DataDirectory, "templates")).Single(d => File.Exists(Path.Combine(d, "template.json")));
            var compressedDirectory = Path.Combine(server.DataDirectory, "template-cache", "zstd", Path.GetFileName(template));
            Assert.True(Directory.Exists(compressedDirectory), $"no compressed copy of the template in {compressedDirectory}");
            var sizes = Directory.GetFiles(compressedDirectory, "*.zst")
                .Select(z => (File: Path.GetFileNameWithoutExtension(z), Compressed: new FileInfo(z).Length, Plain: new FileInfo(Path.Combine(template, Path.GetFileNameWithoutExtension(z))).Length))
                .ToList();
            output.WriteLine(string.Join("; ", sizes.Select(f => $"{f.File}: {f.Plain} → {f.Compressed} bytes")));
            Assert.Contains(sizes, f => f.File.EndsWith(".qcow2", StringComparison.Ordinal) && f.Compressed < f.Plain / 2);

            // The console of a machine on an agent node: the agent connects it back to the Server's relay.
            var ticket = await Auth.Users.ReadAsync<ConsoleTicket>(
                await server.Client.PostAsJsonAsync(ApiPaths.Machine("far", "box") + "/console/tickets", new ConsoleTicketRequest("vnc"), ServerHarness.Json), HttpStatusCode.OK);
            using (var console = new System.Net.WebSockets.ClientWebSocket())
            {
                await console.ConnectAsync(new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + ticket.Url), CancellationToken.None);
                var buffer = new byte[64];
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var received = await console.ReceiveAsync(buffer, limit.Token);
                Assert.StartsWith("RFB 003.008", System.Text.Encoding.ASCII.GetString(buffer, 0, received.Count), StringComparison.Ordinal);
            }

            // SPICE too (ADR 0056): each channel of the session is its own back-connection from the agent; QEMU answers the
            // main and the display channel's links.
            var spice = await Auth.Users.ReadAsync<ConsoleTicket>(
                await server.Client.PostAsJsonAsync(ApiPaths.Machine("far", "box") + "/console/tickets", new ConsoleTicketRequest("spice"), ServerHarness.Json), HttpStatusCode.OK);
            var (main, session) = await SpiceClient.OpenMainAsync(server, spice.Url, output.WriteLine);
            using (main)
            using (await SpiceClient.LinkAsync(server, spice.Url, SkillVL.Server.Consoles.SpiceLink.DisplayChannel, session, output.WriteLine))
            {
            }

            // Kill the agent: the node goes unreachable, the VM keeps running.
            await agent.KillAsync();
            await WaitNodeAsync(server, "edge1", "unreachable");
            Assert.True(Directory.Exists($"/proc/{qemuPid}"), "the VM's QEMU died with its agent");
            await Task.Delay(TimeSpan.FromSeconds(3)); // a few reconcile passes while the node is away
            Assert.True(Directory.Exists($"/proc/{qemuPid}"));

            // Restart it (no join token: it kept its credential): same QEMU, same boot, controllable again.
            await agent.DisposeAsync();
            agent = AgentProcess.Start(Args(null));
            await WaitNodeAsync(server, "edge1", "ready");
            Assert.Equal(bootId, (await server.ExecAsync("far", "box", "cat", "/proc/sys/kernel/random/boot_id")).Stdout);
            Assert.Equal(qemuPid, int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Single(ProcessReaper.ProcessesMentioning(agentRun));
            await server.PostTaskAsync(ApiPaths.Machine("far", "box") + "/restart", TimeSpan.FromMinutes(2));

            // Placement errors: unknown node, drained node.
            using (var unknown = await server.Client.PutAsync(ApiPaths.Room("bad"), Yaml(Room.Replace("far", "bad", StringComparison.Ordinal).Replace("edge1", "nowhere", StringComparison.Ordinal))))
            {
                var body = await unknown.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
                Assert.Contains("machines[0].node", body, StringComparison.Ordinal);
                Assert.Contains("not a known node", body, StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PostAsync(ApiPaths.Nodes + "/edge1/drain", null)).StatusCode);
            using (var drained = await server.Client.PutAsync(ApiPaths.Room("bad"), Yaml(Room.Replace("far", "bad", StringComparison.Ordinal))))
            {
                Assert.Equal(HttpStatusCode.BadRequest, drained.StatusCode);
                Assert.Contains("drained", await drained.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            Assert.DoesNotContain((await server.Client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json))!, r => r.Name == "bad");

            // Removing a node with machines is refused; after the room is gone it works and cuts the agent off.
            Assert.Equal(HttpStatusCode.Conflict, (await server.Client.DeleteAsync(ApiPaths.Nodes + "/edge1")).StatusCode);
            await server.DeleteRoomAsync("far");
            Assert.False(Directory.Exists($"/proc/{qemuPid}"));
            Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync(ApiPaths.Nodes + "/edge1")).StatusCode);
            await Bounded.WaitUntilAsync(
                () => agent.Log.Contains("Cannot reach", StringComparison.Ordinal) || agent.Log.Contains("lost", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), "the agent to notice it was cut off");
            Assert.DoesNotContain((await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!, n => n.Name == "edge1");
            var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=node.enrol", ServerHarness.Json))!;
            Assert.Contains(audit, a => a.Outcome == "refused" && a.Detail == "unknown join token");
            Assert.Contains(audit, a => a.Outcome == "refused" && a.Detail!.StartsWith("join token already used", StringComparison.Ordinal));
            Assert.Contains(audit, a => a.Outcome == "ok" && a.Target == "node=edge1 kind=edge");
        }
        finally
        {
            output.WriteLine(agent.Log);
            await agent.DisposeAsync();
            await ProcessReaper.KillAllUnderAsync(agentRun);
            // If the test failed while the node was away, the room's bridge and taps on it were never removed.
            if (File.Exists(Path.Combine(agentData, "instance-id")))
            {
                await HostInterfaces.DeleteWithAliasAsync($"skillvl:{File.ReadAllText(Path.Combine(agentData, "instance-id")).Trim()}");
            }
        }
    }

    private static async Task WaitNodeAsync(ServerHarness server, string name, string state) =>
        await Bounded.WaitUntilAsync(
            async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == name && n.State == state),
            TimeSpan.FromSeconds(60),
            $"node {name} to be {state}");

    private static StringContent Yaml(string yaml) => new(yaml, System.Text.Encoding.UTF8, "application/yaml");
}
