using System.Text.RegularExpressions;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// Rooms boot real guests; machines of a room reach each other — across the room's routers too (ADR 0039) — and rooms
/// with the same CIDRs do not reach each other; a DHCP client takes a lease from its range; names resolve through the
/// router on a network with <c>dns</c> and not at the router on one without (issue 18); a gateway dropped by an apply
/// leaves the running guest; a bridge made again under a live router gets the router's legs back; deleting the rooms
/// leaves no router behind. One boot of four guests serves all of it (CI time).
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
                  - { name: core, cidr: 10.0.3.0/24, dns: true }
                  - { name: dmz, cidr: 10.0.2.0/24, dhcp: { range: 10.0.2.100-10.0.2.150 } }
                routers:
                  - name: edge
                    interfaces: [{ network: core, ip: 10.0.3.2 }, { network: dmz, ip: 10.0.2.1 }]
                    routes: [{ to: 10.0.1.0/24, via: 10.0.3.1 }]
                  - name: gw
                    interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: core, ip: 10.0.3.1 }]
                    routes: [{ to: 10.0.2.0/24, via: 10.0.3.2 }]
                machines:
                  - { name: a, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.0.1.10 }] }
                  - { name: b, template: tiny, memory: 128Mi, nics: [{ network: dmz, ip: 10.0.2.11 }] }
                """),
            server.ApplyAsync(Blue(gateway: true)));

        // a's default gateway and name server are gw's (set by the guest script): b, behind edge, is reached and named.
        var inside = await server.ExecAsync("red", "a", "ping", "-c", "2", "-W", "2", "10.0.2.11");
        Assert.True(inside.ExitCode == 0, $"a → b through room red's two routers failed: {inside.Stdout}{inside.Stderr}");
        var name = await server.ExecAsync("red", "a", "nslookup", "b");
        Assert.True(name.ExitCode == 0 && name.Stdout.Contains("10.0.2.11", StringComparison.Ordinal), $"b did not resolve in red: {name.Stdout}{name.Stderr}");

        // Issue 18: dmz has DHCP but no DNS. edge serves DNS on core and DHCP on dmz, yet answers no name at its dmz
        // address; b (on dmz) has no name server and resolves nothing, and its DHCP client still gets a lease there.
        var noDns = await server.ExecAsync("red", "b", "nslookup", "a", "10.0.2.1");
        Assert.True(noDns.ExitCode != 0 && !noDns.Stdout.Contains("10.0.1.10", StringComparison.Ordinal), $"edge answered DNS on dmz: {noDns.Stdout}{noDns.Stderr}");
        var byName = await server.ExecAsync("red", "b", "ping", "-c", "1", "-W", "2", "a");
        Assert.True(byName.ExitCode != 0, $"b resolved a without DNS on dmz: {byName.Stdout}");
        var dmzLease = await server.ExecAsync("red", "b", "/bin/sh", "-c", "udhcpc -i eth0 -n -q -t 5 -T 2 -s /bin/true 2>&1");
        Assert.True(dmzLease.ExitCode == 0 && Regex.IsMatch(dmzLease.Stdout, @"lease of 10\.0\.2\.1([0-4][0-9]|50) obtained"), $"b got no lease on dmz: {dmzLease.Stdout}{dmzLease.Stderr}");

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

        // Issue 18: d's gateway, dropped by an apply, leaves the running guest (the platform's route only, no reboot).
        Assert.Contains("default via 10.0.4.1", (await server.ExecAsync("blue", "d", "ip", "route", "show")).Stdout, StringComparison.Ordinal);
        var bootId = (await server.ExecAsync("blue", "d", "cat", "/proc/sys/kernel/random/boot_id")).Stdout;
        await server.ApplyAsync(Blue(gateway: false));
        var routes = await Eventually(() => server.ExecAsync("blue", "d", "ip", "route", "show"), r => !r.Stdout.Contains("default", StringComparison.Ordinal));
        Assert.DoesNotContain("default", routes.Stdout, StringComparison.Ordinal);
        Assert.Contains("10.0.4.0/24", routes.Stdout, StringComparison.Ordinal);
        Assert.Equal(bootId, (await server.ExecAsync("blue", "d", "cat", "/proc/sys/kernel/random/boot_id")).Stdout); // not rebooted

        // Issue 18: core's bridge (only the routers' legs are on it) deleted under the running room: the reconciler makes it
        // again and puts both routers' legs back, and a reaches b across it again.
        var core = await RouterOnlyBridgeAsync(server.InstanceId);
        Assert.Equal(0, (await HostTools.RunAsync("ip", ["link", "del", core], TimeSpan.FromSeconds(10))).ExitCode);
        var healed = await Eventually(() => server.ExecAsync("red", "a", "ping", "-c", "1", "-W", "1", "10.0.2.11"), r => r.ExitCode == 0);
        Assert.True(healed.ExitCode == 0, $"a → b across the recreated core bridge failed: {healed.Stdout}{healed.Stderr}");
        Assert.Equal(core, await RouterOnlyBridgeAsync(server.InstanceId));

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
        Assert.Equal(3, (await RouterNamespaces.ListAsync(instance)).Count);
        await server.DeleteRoomAsync("red");
        await server.DeleteRoomAsync("blue");
        Assert.Empty(await RouterNamespaces.ListAsync(instance));
        Assert.Empty(ProcessReaper.ProcessesMentioning(Path.Combine(server.RuntimeDirectory, "routers")));
        Assert.Empty(await HostInterfaces.WithAliasAsync($"skillvl:{instance}")); // bridges, taps and the routers' veths
    }

    /// <summary>Room blue: a DHCP-only router on lan, c taking a lease there, d alone on a network without a router.</summary>
    private static string Blue(bool gateway) => $$"""
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: blue }
        networks:
          - { name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.150 } }
          - { name: iso, cidr: 10.0.4.0/24 }
        routers:
          - { name: dhcp, interfaces: [{ network: lan, ip: 10.0.1.1 }] }
        machines:
          - { name: c, template: tiny, memory: 128Mi, nics: [{ network: lan }] }
          - { name: d, template: tiny, memory: 128Mi, nics: [{ network: iso, ip: 10.0.4.20 }]{{(gateway ? ", gateway: 10.0.4.1" : "")}} }
        """;

    /// <summary>Retries <paramref name="run"/> for up to a minute until <paramref name="done"/>; returns the last result.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T>> run, Func<T, bool> done)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var result = await run();
            if (done(result) || DateTime.UtcNow > until)
            {
                return result;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The one bridge of this Server whose ports are all router legs (red's core network).</summary>
    private static async Task<string> RouterOnlyBridgeAsync(string instance)
    {
        var bridges = await HostInterfaces.WithAliasAsync($"skillvl:{instance}");
        var links = await HostTools.RunAsync("ip", ["-j", "link", "show"], TimeSpan.FromSeconds(10));
        using var document = System.Text.Json.JsonDocument.Parse(links.Stdout);
        var ports = document.RootElement.EnumerateArray()
            .Where(l => l.TryGetProperty("master", out _))
            .Select(l => (Name: l.GetProperty("ifname").GetString()!, Master: l.GetProperty("master").GetString()!))
            .ToList();
        return Assert.Single(bridges, b => b.StartsWith("svb", StringComparison.Ordinal)
            && ports.Count(p => p.Master == b) == 2 && ports.Where(p => p.Master == b).All(p => p.Name.StartsWith("svq", StringComparison.Ordinal)));
    }
}
