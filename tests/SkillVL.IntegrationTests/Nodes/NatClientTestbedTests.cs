using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;
using static SkillVL.IntegrationTests.Nodes.MigrationTestbedTests;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 12 with the pieces together on a real testbed: a client behind a NAT of its own (ADR 0018) at 50 Mbit/s, 40 ms.
/// Nothing on the server side can open a connection to it — proven against a listener running on the client — yet a VM
/// moves there live (the client dials every migration connection, ADR 0020) and its room network reaches it through the
/// client's outbound relay to a hub (ADR 0019): a peer VM on the server node reaches it before, during and after, a
/// full-size frame crosses, and a counter in the guest continues. Then the client's link is cut: the VM keeps running
/// there, the node comes back by itself when the link returns, no second QEMU appears, and the VM moves back.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class NatClientTestbedTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Offline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task VmMovesToNatClient_PeerReachesItThroughRelay_LinkCutVmKeepsRunning_ReconnectsNoDuplicate_MovesBack()
    {
        await using var server = await ServerHarness.StartAsync();
        await using var bed = await Bed.UpAsync(server, output, nodes: 1, client: "laptop1", bandwidth: "50mbit", rtt: "40ms", behindNat: true);
        await server.ApplyAsync("""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: home }
            networks:
              - { name: lan, cidr: 10.64.0.0/24 }
            machines:
              - { name: vm, template: tiny, node: node1, nics: [{ network: lan, ip: 10.64.0.10 }] }
              - { name: peer, template: tiny, node: node1, nics: [{ network: lan, ip: 10.64.0.11 }] }
            """);
        var status = (await bed.StatusAsync())!;
        var laptop = status.Nodes.Single(n => n.Name == "laptop1");
        var node1 = status.Nodes.Single(n => n.Name == "node1");
        var nat = laptop.Nat ?? throw new InvalidOperationException("laptop1 is not behind NAT");
        output.WriteLine($"laptop1 {nat.ClientAddress} behind its router {nat.OutsideAddress}");

        // Outbound only, proven: a listener on the client answers the client itself, and neither its own address nor its
        // router's outside address lets node1 in.
        using (var listener = StartListener(laptop.Namespace, 8099))
        {
            await Bounded.WaitUntilAsync(async () => await ConnectFromAsync(laptop.Namespace, nat.ClientAddress, 8099) == 0, TimeSpan.FromSeconds(20), "the client's own listener");
            Assert.NotEqual(0, await ConnectFromAsync(node1.Namespace, nat.OutsideAddress, 8099));
            Assert.NotEqual(0, await ConnectFromAsync(node1.Namespace, nat.ClientAddress, 8099));
            listener.Kill(entireProcessTree: true);
        }

        var data = await WriteDataAsync(server, "home", "vm", "data", 4);
        var bootId = await BootIdAsync(server, "home", "vm");
        var counter = await StartCounterAsync(server, "home", "vm");

        // To the client: the platform's own peer probe (the peer pings the VM every 10 ms) measures the gap.
        var clock = Stopwatch.StartNew();
        var linkBefore = bed.ClientLinkBytes();
        var moved = await MigrateUntilMovedAsync(server, new CreateMigrationRequest("home/vm", "laptop1"), output);
        Report("node1 → laptop1 (behind NAT)", moved, clock.Elapsed, bed.ClientLinkBytes() - linkBefore);
        Assert.Equal(MigrationStates.Succeeded, moved.State);
        Assert.Equal("laptop1", (await server.GetMachineAsync("home", "vm")).Node);
        Assert.NotNull(moved.Metrics.ProbeDowntimeMs);
        Assert.InRange(moved.Metrics.ProbeDowntimeMs!.Value, 0, 5000);
        Assert.Equal(bootId, await BootIdAsync(server, "home", "vm"));
        Assert.Equal(data, await ChecksumAsync(server, "home", "vm", "data"));

        // The room network through the relay: the peer on node1 reaches the VM on the NAT'd client, with a full-size frame
        // (MTU 1450: 1422 bytes of ICMP payload, don't fragment).
        Assert.Equal(0, (await server.ExecAsync("home", "peer", "ping", "-c", "3", "-W", "3", "10.64.0.10")).ExitCode);
        var full = await server.ExecAsync("home", "peer", "ping", "-c", "2", "-W", "3", "-M", "do", "-s", "1422", "10.64.0.10");
        Assert.True(full.ExitCode == 0, full.Stdout + full.Stderr);
        var before = await CounterAsync(server, "home", "vm", counter);

        // The link goes down: the Server loses the node, the VM keeps running on the client.
        await bed.SetClientLinkAsync(up: false);
        var cut = Stopwatch.StartNew();
        await WaitNodeStateAsync(server, "laptop1", state => state != "ready", "laptop1 to be seen as away");
        await Task.Delay(Offline - cut.Elapsed is { } left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
        await bed.SetClientLinkAsync(up: true);
        await WaitNodeStateAsync(server, "laptop1", state => state == "ready", "laptop1 to be back");
        output.WriteLine($"laptop1 was cut off for {cut.Elapsed.TotalSeconds:0.0} s");

        // Same guest, its counter ran on while the link was down (10 a second), one QEMU for it in the whole testbed.
        Assert.Equal(bootId, await BootIdAsync(server, "home", "vm"));
        var after = await CounterAsync(server, "home", "vm", counter);
        output.WriteLine($"counter {before} before the cut, {after} after");
        Assert.True(after - before >= Offline.TotalSeconds * 10 * 0.5, $"the counter went from {before} to {after} over a {Offline.TotalSeconds} s cut");
        var machine = await server.GetMachineAsync("home", "vm");
        Assert.Single(ProcessReaper.ProcessesMentioning(machine.Id));
        await Bounded.WaitUntilAsync(
            async () => (await server.ExecAsync("home", "peer", "ping", "-c", "1", "-W", "2", "10.64.0.10")).ExitCode == 0,
            TimeSpan.FromSeconds(60), "the relay to reconnect");

        // And back to the server node: the client dials the server's tunnel (forward mode).
        clock.Restart();
        linkBefore = bed.ClientLinkBytes();
        var back = await MigrateUntilMovedAsync(server, new CreateMigrationRequest("home/vm", "node1"), output);
        Report("laptop1 → node1", back, clock.Elapsed, bed.ClientLinkBytes() - linkBefore);
        Assert.Equal(MigrationStates.Succeeded, back.State);
        Assert.Equal(bootId, await BootIdAsync(server, "home", "vm"));
        Assert.Equal(data, await ChecksumAsync(server, "home", "vm", "data"));
        Assert.Equal(0, (await server.ExecAsync("home", "peer", "ping", "-c", "2", "-W", "2", "10.64.0.10")).ExitCode);
        await server.DeleteRoomAsync("home");
    }

    private void Report(string move, MigrationInfo migration, TimeSpan elapsed, long linkBytes)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{move}: {migration.State} in {migration.Metrics.TotalTimeMs:0} ms (test saw {elapsed.TotalSeconds:0.0} s), downtime {migration.Metrics.DowntimeMs} ms, " +
            $"peer probe gap {migration.Metrics.ProbeDowntimeMs} ms, {linkBytes} B on the link (RAM {migration.Metrics.RamBytes}, disk {migration.Metrics.DiskBytes}, " +
            $"base {migration.Metrics.BaseBytes}) {migration.Error}"));
        output.WriteLine(string.Join('\n', migration.Log.Select(l => $"  {l.Message}")));
    }

    private static async Task WaitNodeStateAsync(ServerHarness server, string node, Func<string, bool> wanted, string what) =>
        await Bounded.WaitUntilAsync(
            async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == node && wanted(n.State)),
            TimeSpan.FromSeconds(90),
            what,
            TimeSpan.FromMilliseconds(500));

    /// <summary>A TCP listener inside the namespace (Python's http.server), ended by the caller through its pid.</summary>
    private static Process StartListener(string ns, int port)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", ns, "timeout", "300", "/usr/bin/python3", "-m", "http.server", port.ToString(CultureInfo.InvariantCulture), "--bind", "0.0.0.0" })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the listener");
    }

    /// <summary>A TCP connect from namespace <paramref name="ns"/>, bounded to 3 s: 0 connected, else refused, unreachable or timed out.</summary>
    private static async Task<int> ConnectFromAsync(string ns, string address, int port) =>
        (await HostTools.RunAsync("ip", ["netns", "exec", ns, "timeout", "3", "bash", "-c", $"</dev/tcp/{address}/{port}"], TimeSpan.FromSeconds(10))).ExitCode;
}
