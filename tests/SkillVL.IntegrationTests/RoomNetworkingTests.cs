using System.Text.RegularExpressions;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// Rooms boot real guests; machines of a room reach each other — across the room's router too (ADR 0039) — and rooms
/// with the same CIDRs do not reach each other; a DHCP client takes a lease from its range; names resolve through the
/// router; deleting the rooms leaves no router behind.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RoomNetworkingTests
{
    [Fact]
    public async Task RoomsWithSameCidr_MachinesReachEachOtherInsideAndThroughTheRouter_ButNotAcrossRooms()
    {
        HostTools.RequireTool("dnsmasq", "dnsmasq-base");
        await using var server = await ServerHarness.StartAsync();
        await Task.WhenAll(
            server.ApplyAsync("""
                apiVersion: skillvl.io/v1
                kind: Room
                metadata: { name: red }
                networks:
                  - { name: lan, cidr: 10.0.1.0/24, dns: true }
                  - { name: dmz, cidr: 10.0.2.0/24, dns: true }
                routers:
                  - { name: gw, interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: dmz, ip: 10.0.2.1 }] }
                machines:
                  - { name: a, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.0.1.10 }] }
                  - { name: b, template: tiny, memory: 128Mi, nics: [{ network: dmz, ip: 10.0.2.11 }] }
                """),
            server.ApplyAsync("""
                apiVersion: skillvl.io/v1
                kind: Room
                metadata: { name: blue }
                networks:
                  - { name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.150 } }
                routers:
                  - { name: dhcp, interfaces: [{ network: lan, ip: 10.0.1.1 }] }
                machines:
                  - { name: c, template: tiny, memory: 128Mi, nics: [{ network: lan }] }
                """));

        // a's default gateway and name server are the router's (set by the guest script): b is reached and named.
        var inside = await server.ExecAsync("red", "a", "ping", "-c", "2", "-W", "2", "10.0.2.11");
        Assert.True(inside.ExitCode == 0, $"a → b through room red's router failed: {inside.Stdout}{inside.Stderr}");
        var name = await server.ExecAsync("red", "a", "nslookup", "b");
        Assert.True(name.ExitCode == 0 && name.Stdout.Contains("10.0.2.11", StringComparison.Ordinal), $"b did not resolve in red: {name.Stdout}{name.Stderr}");

        // c has no address in the room: its DHCP client takes a lease from blue's range (blue's router, not red's).
        var lease = await server.ExecAsync("blue", "c", "/bin/sh", "-c", "udhcpc -i eth0 -n -q -t 5 -T 2 -s /bin/true 2>&1");
        var leased = Regex.Match(lease.Stdout, @"lease of (10\.0\.1\.1([0-4][0-9]|50)) obtained");
        Assert.True(lease.ExitCode == 0 && leased.Success, $"c got no lease from 10.0.1.100-150: {lease.Stdout}{lease.Stderr}");
        var address = leased.Groups[1].Value;
        Assert.Equal(0, (await server.ExecAsync("blue", "c", "ip", "addr", "add", address + "/24", "dev", "eth0")).ExitCode);

        var across = await server.ExecAsync("red", "a", "ping", "-c", "2", "-W", "1", address);
        Assert.True(across.ExitCode != 0, $"a in red reached c in blue: {across.Stdout}");
        var back = await server.ExecAsync("blue", "c", "ping", "-c", "2", "-W", "1", "10.0.1.10");
        Assert.True(back.ExitCode != 0, $"c in blue reached a in red: {back.Stdout}");

        // The room's addressing is what the definition says (applied through the guest agent).
        var b = await server.ExecAsync("red", "b", "/bin/sh", "-c", "ip -o -4 addr show; ip route show default; hostname; cat /sys/class/net/eth0/mtu");
        Assert.Contains("10.0.2.11/24", b.Stdout, StringComparison.Ordinal);
        Assert.Contains("default via 10.0.2.1", b.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nb\n", b.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("1450\n", b.Stdout, StringComparison.Ordinal);
        var room = await server.GetRoomAsync("red");
        Assert.Equal("Ready", room.Phase);
        Assert.All(room.Machines, m => Assert.True(m.State == "running" && m.GuestReady, $"{m.Name}: {m.State}"));

        // Deleting the rooms removes their routers: no namespace, no dnsmasq, no veth of this Server is left.
        var instance = server.InstanceId;
        Assert.Equal(2, (await RouterNamespaces.ListAsync(instance)).Count);
        await server.DeleteRoomAsync("red");
        await server.DeleteRoomAsync("blue");
        Assert.Empty(await RouterNamespaces.ListAsync(instance));
        Assert.Empty(ProcessReaper.ProcessesMentioning(Path.Combine(server.RuntimeDirectory, "routers")));
        Assert.Empty(await HostInterfaces.WithAliasAsync($"skillvl:{instance}")); // bridges, taps and the routers' veths
    }
}
