using System.Text.Json;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 12 (ADR 0019) end to end on a testbed: a room with a VM on server node1 and one pinned to the client laptop1
/// shares one network through the client's outbound TLS relay to node1 (the hub): real agents, real QEMU guests, real
/// bridges and taps. The client's bridge has no VXLAN device, nothing listens on the client, and the room's MTU (1450)
/// holds on the relayed path: a DF ping with 1422 bytes of payload crosses, 1423 is refused in the guest.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RelayTestbedTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: relay }
        networks:
          - { name: lan, cidr: 10.61.0.0/24 }
        machines:
          - { name: srv, template: tiny, node: node1, nics: [{ network: lan, ip: 10.61.0.10 }] }
          - { name: home, template: tiny, node: laptop1, nics: [{ network: lan, ip: 10.61.0.20 }] }
        """;

    [Fact]
    public async Task VmOnClient_ReachesVmOnServerNode_ThroughRelay_NoVxlanOnClient_Df1422Crosses()
    {
        await using var server = await ServerHarness.StartAsync();
        await using var bed = await MigrationTestbedTests.Bed.UpAsync(server, output, nodes: 1, client: "laptop1");
        await server.ApplyAsync(Room);
        Assert.Equal("node1", (await server.GetMachineAsync("relay", "srv")).Node);
        Assert.Equal("laptop1", (await server.GetMachineAsync("relay", "home")).Node);

        // The relay comes up with the client's network spec; the first pings may race its connection.
        await Bounded.WaitUntilAsync(
            async () => (await server.ExecAsync("relay", "home", "ping", "-c", "1", "-W", "1", "10.61.0.10")).ExitCode == 0,
            TimeSpan.FromSeconds(60),
            "home on laptop1 to reach srv on node1");
        Assert.Equal(0, (await server.ExecAsync("relay", "srv", "ping", "-c", "2", "-W", "2", "10.61.0.20")).ExitCode);

        // The MTU the guests have (1450) crosses whole; one byte more is refused by the guest itself (no black hole).
        var fits = await server.ExecAsync("relay", "home", "ping", "-M", "do", "-s", "1422", "-c", "2", "-W", "2", "10.61.0.10");
        output.WriteLine(fits.Stdout + fits.Stderr);
        Assert.Equal(0, fits.ExitCode);
        Assert.Contains("1430 bytes from 10.61.0.10", fits.Stdout, StringComparison.Ordinal);
        var tooBig = await server.ExecAsync("relay", "home", "ping", "-M", "do", "-s", "1423", "-c", "1", "-W", "2", "10.61.0.10");
        output.WriteLine(tooBig.Stdout + tooBig.Stderr);
        Assert.NotEqual(0, tooBig.ExitCode);
        Assert.Contains("message too long", tooBig.Stdout + tooBig.Stderr, StringComparison.OrdinalIgnoreCase);
        var mtu = await server.ExecAsync("relay", "home", "cat", "/sys/class/net/eth0/mtu");
        Assert.Equal("1450", mtu.Stdout.Trim());

        // On the client: the bridge has the relay port and no VXLAN device, and no TCP socket listens at all.
        var status = (await bed.StatusAsync())!;
        var laptop = status.Nodes.Single(n => n.Name == "laptop1");
        var hub = status.Nodes.Single(n => n.Name == "node1");
        var links = await LinksAsync(laptop.Namespace);
        Assert.DoesNotContain(links, l => l.Kind == "vxlan");
        Assert.Contains(links, l => l.Name.StartsWith("svr", StringComparison.Ordinal) && l.Master?.StartsWith("svb", StringComparison.Ordinal) == true && l.Mtu == 1450);
        Assert.Empty(await ListeningTcpAsync(laptop.Namespace));
        Assert.Contains(await ListeningTcpAsync(hub.Namespace), l => l.Contains($"{hub.Address}:7470", StringComparison.Ordinal));
        Assert.Contains(await LinksAsync(hub.Namespace), l => l.Name.StartsWith("svh", StringComparison.Ordinal) && l.Mtu == 1450);

        await server.DeleteRoomAsync("relay");
    }

    private async Task<IReadOnlyList<string>> ListeningTcpAsync(string networkNamespace)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", ["netns", "exec", networkNamespace, "ss", "-Hltn"], TimeSpan.FromSeconds(10));
        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        output.WriteLine($"[{networkNamespace}] ss -Hltn: {(lines.Length == 0 ? "(nothing listens)" : string.Join(" | ", lines))}");
        return lines;
    }

    private async Task<IReadOnlyList<(string Name, string? Kind, string? Master, int Mtu)>> LinksAsync(string networkNamespace)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", ["-n", networkNamespace, "-j", "-d", "link", "show"], TimeSpan.FromSeconds(10));
        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var links = json.RootElement.EnumerateArray().Select(e => (
            e.GetProperty("ifname").GetString()!,
            e.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var kind) ? kind.GetString() : null,
            e.TryGetProperty("master", out var master) ? master.GetString() : null,
            e.GetProperty("mtu").GetInt32())).ToList();
        output.WriteLine($"[{networkNamespace}] links: {string.Join(", ", links.Select(l => $"{l.Item1}({l.Item2}{(l.Item3 is null ? "" : " in " + l.Item3)})"))}");
        return links;
    }
}
