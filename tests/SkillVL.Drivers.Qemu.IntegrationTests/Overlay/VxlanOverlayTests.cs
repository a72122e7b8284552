using SkillVL.Core.Identifiers;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking;
using Xunit.Abstractions;
using static SkillVL.Drivers.Qemu.IntegrationTests.Overlay.TwoNodeUnderlay;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Overlay;

/// <summary>
/// The VXLAN overlay (ADR 0007) with the real driver, real kernel VXLAN devices and real pings, between two
/// simulated nodes (network namespaces) on this machine: issue 5's "ping through VXLAN", "1422-byte DF ping
/// passes, a larger one does not" and "identical CIDRs stay isolated", plus peer convergence and cleanup.
/// </summary>
public sealed class VxlanOverlayTests(ITestOutputHelper output)
{
    // iputils: -i 0.2 (root may go below 0.2 s) and a deadline -w, so a lost first echo (ARP) is retried
    // and the whole ping is bounded; with -c and -w, exit 0 means every one of the -c echoes came back.
    private static readonly string[] Reach = ["-c", "2", "-i", "0.2", "-w", "5"];
    private static readonly string[] NoReach = ["-c", "2", "-i", "0.2", "-w", "2"];

    [Fact]
    public async Task TwoNodes_GuestsPingThroughVxlan_And1422ByteDfPingIsTheLargestThatFits()
    {
        await using var bed = await CreateAsync(output);
        var net = ShortId.New();
        await bed.N1.Networks.EnsureAsync(Spec(net, 4242, bed.N1, bed.N2), CancellationToken.None);
        await bed.N2.Networks.EnsureAsync(Spec(net, 4242, bed.N2, bed.N1), CancellationToken.None);
        var a = await bed.AddGuestAsync(bed.N1, net, "a1", "10.99.0.1/24");
        var b = await bed.AddGuestAsync(bed.N2, net, "a2", "10.99.0.2/24");

        await AssertReachesAsync(bed, a, b);
        await AssertReachesAsync(bed, b, a);
        foreach (var (node, peer) in new[] { (bed.N1, bed.N2), (bed.N2, bed.N1) })
        {
            await AssertTunnelAsync(bed, node, net, 4242, peer);
        }

        // 1422 + 8 (ICMP) + 20 (IPv4) = 1450, the guest MTU: fits, with DF, and nothing is fragmented anywhere.
        var vxlan = InterfaceNames.Vxlan(net);
        var sent = await bed.CountersAsync(bed.N1, vxlan);
        var received = await bed.CountersAsync(bed.N2, vxlan);
        var underlay = await bed.CountersAsync(bed.N2, "svlxu");
        var fragments = await FragmentCountersAsync(bed);
        var fits = await bed.PingAsync(a, b.Address, "-M", "do", "-s", "1422", "-c", "5", "-i", "0.2", "-w", "10");
        Assert.True(fits.ExitCode == 0, fits.Output);
        Assert.Contains("1430 bytes from 10.99.0.2", fits.Output, StringComparison.Ordinal);

        // The echoes really crossed the tunnel: 5 requests out of n1's VXLAN device and into n2's, each with its
        // whole 1450-byte IP packet (the device's counters leave out the inner Ethernet header), and as 1514-byte
        // frames over the underlay (14 Ethernet + 20 IPv4 + 8 UDP + 8 VXLAN + 14 inner Ethernet + 1450).
        var sentAfter = await bed.CountersAsync(bed.N1, vxlan);
        var receivedAfter = await bed.CountersAsync(bed.N2, vxlan);
        var underlayAfter = await bed.CountersAsync(bed.N2, "svlxu");
        output.WriteLine($"n1 {vxlan} tx {sent} -> {sentAfter}; n2 {vxlan} rx {received} -> {receivedAfter}; n2 underlay {underlay} -> {underlayAfter}");
        Assert.True(sentAfter.TxPackets - sent.TxPackets >= 5, "n1's VXLAN device did not send the echo requests");
        Assert.True(receivedAfter.RxPackets - received.RxPackets >= 5, "n2's VXLAN device did not receive the echo requests");
        Assert.True(receivedAfter.RxBytes - received.RxBytes >= 5 * 1450, "n2's VXLAN device received less than five 1450-byte packets");
        Assert.True(underlayAfter.RxBytes - underlay.RxBytes >= 5 * 1514, "the underlay did not carry five full-size VXLAN packets");
        Assert.Equal(fragments, await FragmentCountersAsync(bed));

        // 1423 does not fit: with DF the guest's own stack refuses it (EMSGSIZE).
        var tooBig = await bed.PingAsync(a, b.Address, "-M", "do", "-s", "1423", "-c", "1", "-w", "3");
        Assert.NotEqual(0, tooBig.ExitCode);
        Assert.Contains("message too long", tooBig.Output, StringComparison.Ordinal);

        // And the overlay itself carries no more than 1450 either: a guest that claims MTU 1500 gets its
        // 1451-byte packet dropped at the VXLAN port, not fragmented over the underlay.
        await bed.SetGuestMtuAsync(a, UnderlayMtu);
        await bed.SetGuestMtuAsync(b, UnderlayMtu);
        var oversized = await bed.PingAsync(a, b.Address, ["-M", "do", "-s", "1423", .. NoReach]);
        Assert.NotEqual(0, oversized.ExitCode);
        Assert.Contains(" 0 received", oversized.Output, StringComparison.Ordinal);
        Assert.Equal(fragments, await FragmentCountersAsync(bed));
        await bed.SetGuestMtuAsync(a, GuestMtu);
        await bed.SetGuestMtuAsync(b, GuestMtu);
        var again = await bed.PingAsync(a, b.Address, ["-M", "do", "-s", "1422", .. Reach]);
        Assert.True(again.ExitCode == 0, again.Output);
    }

    [Fact]
    public async Task TwoNetworksWithTheSameCidrAndDifferentVnis_AcrossTheSameNodes_CannotReachEachOther()
    {
        await using var bed = await CreateAsync(output);
        var red = ShortId.New();
        var blue = ShortId.New();
        foreach (var (net, vni) in new[] { (red, 100), (blue, 200) })
        {
            await bed.N1.Networks.EnsureAsync(Spec(net, vni, bed.N1, bed.N2), CancellationToken.None);
            await bed.N2.Networks.EnsureAsync(Spec(net, vni, bed.N2, bed.N1), CancellationToken.None);
        }

        // Identical addressing in both networks, plus one address only blue has.
        var red1 = await bed.AddGuestAsync(bed.N1, red, "r1", "10.99.0.1/24");
        var red2 = await bed.AddGuestAsync(bed.N2, red, "r2", "10.99.0.2/24");
        var blue1 = await bed.AddGuestAsync(bed.N1, blue, "b1", "10.99.0.1/24");
        var blue2 = await bed.AddGuestAsync(bed.N2, blue, "b2", "10.99.0.2/24");
        var blue3 = await bed.AddGuestAsync(bed.N2, blue, "b3", "10.99.0.3/24");

        await AssertReachesAsync(bed, red1, red2);
        await AssertReachesAsync(bed, blue1, blue2);
        await AssertReachesAsync(bed, blue1, blue3);

        // 10.99.0.2 is a different machine in each network: each guest resolved its own network's one.
        Assert.Equal(await bed.MacAsync(red2), await bed.NeighbourMacAsync(red1, "10.99.0.2"));
        Assert.Equal(await bed.MacAsync(blue2), await bed.NeighbourMacAsync(blue1, "10.99.0.2"));
        Assert.Equal(await bed.MacAsync(red1), await bed.NeighbourMacAsync(red2, "10.99.0.1"));

        // Blue's third machine, across the same underlay on the same port: unreachable from red.
        var across = await bed.PingAsync(red1, blue3.Address, NoReach);
        Assert.NotEqual(0, across.ExitCode);
        // Not even its ARP reply came back (a failed neighbour entry has no MAC).
        Assert.Null(await bed.NeighbourMacAsync(red1, blue3.Address));
    }

    [Fact]
    public async Task PeerList_Converges_EmptyStopsTraffic_PeerAgainRestoresIt_VniChangeAndDroppedOverlayToo()
    {
        await using var bed = await CreateAsync(output);
        var net = ShortId.New();
        var vxlan = InterfaceNames.Vxlan(net);
        await bed.N1.Networks.EnsureAsync(Spec(net, 4242, bed.N1, bed.N2), CancellationToken.None);
        await bed.N2.Networks.EnsureAsync(Spec(net, 4242, bed.N2, bed.N1), CancellationToken.None);
        var a = await bed.AddGuestAsync(bed.N1, net, "a1", "10.99.0.1/24");
        var b = await bed.AddGuestAsync(bed.N2, net, "a2", "10.99.0.2/24");
        await AssertReachesAsync(bed, a, b);

        // No peers left on n1 (its last remote machine went away): nothing leaves n1 through the tunnel.
        await bed.N1.Networks.EnsureAsync(Spec(net, 4242, bed.N1), CancellationToken.None);
        Assert.Empty(await FloodListAsync(bed, bed.N1, vxlan));
        await AssertCannotReachAsync(bed, a, b);

        // The machine "moved" to a third node (198.18.1.3, absent): n1 replicates there only.
        await bed.N1.Networks.EnsureAsync(
            new NetworkSpec(net, GuestMtu, new VxlanOverlay(4242, bed.N1.UnderlayAddress, ["198.18.1.3"])), CancellationToken.None);
        Assert.Equal(["198.18.1.3"], await FloodListAsync(bed, bed.N1, vxlan));
        await AssertCannotReachAsync(bed, a, b);

        // Back on n2: the peer list converges to exactly n2 and traffic flows again.
        await bed.N1.Networks.EnsureAsync(Spec(net, 4242, bed.N1, bed.N2), CancellationToken.None);
        Assert.Equal([bed.N2.UnderlayAddress], await FloodListAsync(bed, bed.N1, vxlan));
        await AssertReachesAsync(bed, a, b);

        // A new VNI recreates the device; until both ends agree, nothing passes.
        await bed.N1.Networks.EnsureAsync(Spec(net, 4343, bed.N1, bed.N2), CancellationToken.None);
        await AssertTunnelAsync(bed, bed.N1, net, 4343, bed.N2);
        await AssertCannotReachAsync(bed, a, b);
        await bed.N2.Networks.EnsureAsync(Spec(net, 4343, bed.N2, bed.N1), CancellationToken.None);
        await AssertTunnelAsync(bed, bed.N2, net, 4343, bed.N1);
        await AssertReachesAsync(bed, a, b);

        // The network no longer spans nodes on n1: its VXLAN device goes, the bridge and the guest's port stay.
        await bed.N1.Networks.EnsureAsync(new NetworkSpec(net, GuestMtu), CancellationToken.None);
        var links = await bed.LinksAsync(bed.N1);
        Assert.DoesNotContain(links, l => l.Name == vxlan);
        Assert.Contains(links, l => l.Name == a.Port && l.Master == InterfaceNames.Bridge(net));
        await AssertCannotReachAsync(bed, a, b);
        await bed.N1.Networks.EnsureAsync(Spec(net, 4343, bed.N1, bed.N2), CancellationToken.None);
        await AssertReachesAsync(bed, a, b);
    }

    [Fact]
    public async Task DeleteAndOrphanSweep_LeaveNoVxlanOrBridgeOnEitherNode()
    {
        await using var bed = await CreateAsync(output);
        var kept = ShortId.New();
        var deleted = ShortId.New();
        foreach (var (net, vni) in new[] { (kept, 10), (deleted, 20) })
        {
            await bed.N1.Networks.EnsureAsync(Spec(net, vni, bed.N1, bed.N2), CancellationToken.None);
            await bed.N2.Networks.EnsureAsync(Spec(net, vni, bed.N2, bed.N1), CancellationToken.None);
        }

        await bed.AddGuestAsync(bed.N1, deleted, "d1", "10.99.0.1/24");

        // Delete on n1: both devices of that network go, the other network stays whole.
        await bed.N1.Networks.DeleteAsync(deleted, CancellationToken.None);
        var n1 = await bed.LinksAsync(bed.N1);
        Assert.DoesNotContain(n1, l => l.Name.EndsWith(deleted, StringComparison.Ordinal));
        Assert.Contains(n1, l => l.Name == InterfaceNames.Vxlan(kept) && l.Master == InterfaceNames.Bridge(kept));
        Assert.Equal([kept], await bed.N1.Networks.ListAsync(CancellationToken.None));

        // On n2 a crash left a VXLAN device without its bridge: the listing still names its network.
        await bed.IpAsync("-n", bed.N2.Namespace, "link", "del", "dev", InterfaceNames.Bridge(deleted));
        Assert.Equal(new[] { kept, deleted }.Order(StringComparer.Ordinal), await bed.N2.Networks.ListAsync(CancellationToken.None));

        // The orphan sweep with no network wanted: list, delete each (what the reconciler does).
        foreach (var node in new[] { bed.N1, bed.N2 })
        {
            foreach (var orphan in await node.Networks.ListAsync(CancellationToken.None))
            {
                await node.Networks.DeleteAsync(orphan, CancellationToken.None);
            }

            Assert.Empty(await node.Networks.ListAsync(CancellationToken.None));
            var left = (await bed.LinksAsync(node)).Select(l => l.Name).ToList();
            output.WriteLine($"{node.Namespace}: {string.Join(' ', left)}");
            Assert.DoesNotContain(left, n => n.StartsWith(InterfaceNames.VxlanPrefix, StringComparison.Ordinal));
            Assert.DoesNotContain(left, n => n.StartsWith(InterfaceNames.BridgePrefix, StringComparison.Ordinal));

            // Idempotent: deleting what is gone is fine.
            await node.Networks.DeleteAsync(deleted, CancellationToken.None);
        }
    }

    private static async Task AssertReachesAsync(TwoNodeUnderlay bed, Guest from, Guest to)
    {
        var ping = await bed.PingAsync(from, to.Address, Reach);
        Assert.True(ping.ExitCode == 0, $"{from.Namespace} cannot reach {to.Address}:\n{ping.Output}");
    }

    private static async Task AssertCannotReachAsync(TwoNodeUnderlay bed, Guest from, Guest to)
    {
        var ping = await bed.PingAsync(from, to.Address, NoReach);
        Assert.True(ping.ExitCode != 0, $"{from.Namespace} still reaches {to.Address}:\n{ping.Output}");
    }

    /// <summary>The node's VXLAN device of <paramref name="net"/> as ADR 0007 wants it, and the host kept off it.</summary>
    private static async Task AssertTunnelAsync(TwoNodeUnderlay bed, SimulatedNode node, string net, int vni, SimulatedNode peer)
    {
        var vxlan = InterfaceNames.Vxlan(net);
        var bridge = InterfaceNames.Bridge(net);
        var links = await bed.LinksAsync(node);
        var device = Assert.Single(links, l => l.Name == vxlan);
        Assert.Equal(
            new LinkInfo(vxlan, "skillvl:" + bed.InstanceId, bridge, GuestMtu, "vxlan", true, new VxlanLinkInfo(vni, node.UnderlayAddress, 4789, false)),
            device);
        Assert.Contains(links, l => l.Name == bridge && l.Kind == "bridge" && l.Alias == "skillvl:" + bed.InstanceId && l.Mtu == GuestMtu);
        Assert.Equal([peer.UnderlayAddress], await FloodListAsync(bed, node, vxlan));
        Assert.Equal("1", await bed.ReadSysctlAsync(node, $"net/ipv6/conf/{vxlan}/disable_ipv6"));
        Assert.Equal("1", await bed.ReadSysctlAsync(node, $"net/ipv6/conf/{bridge}/disable_ipv6"));
        Assert.Equal("0", await bed.ReadSysctlAsync(node, $"net/ipv4/conf/{bridge}/forwarding"));
        foreach (var name in new[] { vxlan, bridge })
        {
            var addresses = await bed.IpAsync("-n", node.Namespace, "-o", "addr", "show", "dev", name);
            Assert.True(addresses.Trim().Length == 0, $"{name} on {node.Namespace} has an address: {addresses}");
        }
    }

    private static async Task<IReadOnlyList<string>> FloodListAsync(TwoNodeUnderlay bed, SimulatedNode node, string vxlan) =>
        IpCommand.ParseFloodDestinations(await bed.BridgeAsync(node, "-j", "fdb", "show", "dev", vxlan));

    private static async Task<(long, long, long, long)> FragmentCountersAsync(TwoNodeUnderlay bed) => (
        await bed.IpCounterAsync(bed.N1, "FragCreates"),
        await bed.IpCounterAsync(bed.N2, "FragCreates"),
        await bed.IpCounterAsync(bed.N1, "ReasmReqds"),
        await bed.IpCounterAsync(bed.N2, "ReasmReqds"));
}
