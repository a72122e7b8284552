using SkillVL.Core.Identifiers;
using SkillVL.Drivers.Qemu.IntegrationTests.Migration;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Relay;

/// <summary>
/// The room-network relay (ADR 0019) with the real driver, real bridges and taps, real TLS and real pings between a hub
/// and a client node (network namespaces joined by a veth underlay): issue 12's "the room network reaches the client's
/// VMs through the outbound path; rooms stay isolated; the MTU is stated and works; nothing listens on the client".
/// </summary>
public sealed class RelayTests(ITestOutputHelper output)
{
    private static readonly string[] Reach = ["-c", "2", "-i", "0.2", "-w", "5"];
    private static readonly string[] NoReach = ["-c", "2", "-i", "0.2", "-w", "2"];

    [Fact]
    public async Task Relay_ClientToHub_PingsCross_1422DfFits_NothingListensOnClient()
    {
        await using var bed = await RelayBed.CreateAsync(output);
        var net = ShortId.New();
        await bed.Hub.Networks.EnsureAsync(bed.HubSpec(net, RelayBed.ClientName), CancellationToken.None);
        await bed.Client.Networks.EnsureAsync(bed.ClientSpec(net), CancellationToken.None);
        var onHub = await bed.Underlay.AddGuestAsync(bed.Hub, net, "h1", "10.98.0.1/24");
        var onClient = await bed.Underlay.AddGuestAsync(bed.Client, net, "c1", "10.98.0.2/24");
        await bed.WaitForClientAsync(net, s => s.Connected, "client attached");

        await AssertReachesAsync(bed, onClient, onHub);
        await AssertReachesAsync(bed, onHub, onClient);

        // The MTU: the guests' 1450, as with VXLAN. 1422 + 8 ICMP + 20 IPv4 = 1450 crosses whole (TCP carries the
        // 1464-byte frame; nothing fragments); 1423 is refused by the guest's own stack, never lost on the way.
        var before = bed.Client.Relays.ClientStatus(net)!.Counters.BytesSent;
        var fits = await bed.Underlay.PingAsync(onClient, onHub.Address, ["-M", "do", "-s", "1422", .. Reach]);
        Assert.True(fits.ExitCode == 0, fits.Output);
        Assert.Contains("1430 bytes from 10.98.0.1", fits.Output, StringComparison.Ordinal);
        Assert.True(bed.Client.Relays.ClientStatus(net)!.Counters.BytesSent - before >= 2 * (1450 + 14), "the relay did not carry two full-size frames");
        var tooBig = await bed.Underlay.PingAsync(onClient, onHub.Address, "-M", "do", "-s", "1423", "-c", "1", "-w", "3");
        Assert.NotEqual(0, tooBig.ExitCode);
        Assert.Contains("message too long", tooBig.Output, StringComparison.Ordinal);

        // Outbound only: the client has no listening TCP socket (and no VXLAN device); the hub listens on its port.
        Assert.Empty(await bed.ListeningTcpAsync(bed.Client));
        Assert.Contains(await bed.ListeningTcpAsync(bed.Hub), l => l.Contains($"{bed.Hub.UnderlayAddress}:{RelayBed.Port}", StringComparison.Ordinal));
        Assert.DoesNotContain(await bed.Underlay.LinksAsync(bed.Client), l => l.Kind == "vxlan");
        var attached = Assert.Single(bed.Hub.Relays.HubAttached);
        Assert.Equal((net, RelayBed.ClientName), (attached.NetworkId, attached.Client));
        Assert.True(attached.Counters.FramesReceived > 0 && attached.Counters.FramesSent > 0);

        // Deleting the network removes the relay port on both ends, and the hub stops listening with its last network.
        await bed.Client.Networks.DeleteAsync(net, CancellationToken.None);
        await bed.Hub.Networks.DeleteAsync(net, CancellationToken.None);
        Assert.Null(bed.Client.Relays.ClientStatus(net));
        Assert.Null(bed.Hub.Relays.HubEndpoint);
        Assert.Empty(await bed.ListeningTcpAsync(bed.Hub));
        var left = await bed.Underlay.LinksAsync(bed.Client);
        Assert.DoesNotContain(left, l => l.Name == InterfaceNames.RelayClientTap(net));
    }

    [Fact]
    public async Task Relay_CertificateNotFromPlatformCa_IsRefused()
    {
        await using var bed = await RelayBed.CreateAsync(output);
        using (var other = new TestNodeCertificates("Some other CA"))
        {
            // Same node name and address, but signed by a CA the hub does not trust.
            other.WriteNode(bed.Client.TlsDirectory, bed.Client.UnderlayAddress, RelayBed.ClientName);
        }

        var net = ShortId.New();
        await bed.Hub.Networks.EnsureAsync(bed.HubSpec(net, RelayBed.ClientName), CancellationToken.None);
        await bed.Client.Networks.EnsureAsync(bed.ClientSpec(net), CancellationToken.None);
        var onHub = await bed.Underlay.AddGuestAsync(bed.Hub, net, "h1", "10.98.0.1/24");
        var onClient = await bed.Underlay.AddGuestAsync(bed.Client, net, "c1", "10.98.0.2/24");

        var status = await bed.WaitForClientAsync(net, s => s.Counters.Failures >= 2, "client refused twice");
        Assert.False(status.Connected);
        Assert.Equal(0, status.Counters.Connects);
        // The client may see its handshake fail before the hub has counted its refusal (a CI run of session 16: fewer
        // than two counted when the client had failed twice): the hub's count is waited for, bounded.
        await Bounded.WaitUntilAsync(() => bed.Hub.Relays.HubRefusals >= 2, TimeSpan.FromSeconds(10), "the hub's two refusals");
        Assert.Empty(bed.Hub.Relays.HubAttached);
        var ping = await bed.Underlay.PingAsync(onClient, onHub.Address, NoReach);
        Assert.NotEqual(0, ping.ExitCode);
    }

    [Fact]
    public async Task Relay_ClientNamingAnotherNetwork_IsRefused()
    {
        await using var bed = await RelayBed.CreateAsync(output);
        var mine = ShortId.New();
        var theirs = ShortId.New();
        await bed.Hub.Networks.EnsureAsync(bed.HubSpec(mine, RelayBed.ClientName), CancellationToken.None);
        await bed.Hub.Networks.EnsureAsync(bed.HubSpec(theirs, "laptop-of-someone-else"), CancellationToken.None);
        var theirGuest = await bed.Underlay.AddGuestAsync(bed.Hub, theirs, "h2", "10.97.0.1/24");

        // A client that asks for a network the Server did not give it there gets ERR, and nothing of it is attached.
        await bed.Client.Networks.EnsureAsync(bed.ClientSpec(theirs), CancellationToken.None);
        var onClient = await bed.Underlay.AddGuestAsync(bed.Client, theirs, "c2", "10.97.0.2/24");
        var status = await bed.WaitForClientAsync(theirs, s => s.Counters.Failures >= 1, "client refused");
        Assert.False(status.Connected);
        Assert.Contains("no node named in this certificate is a client of network " + theirs, status.LastError, StringComparison.Ordinal);
        Assert.Empty(bed.Hub.Relays.HubAttached);
        var ping = await bed.Underlay.PingAsync(onClient, theirGuest.Address, NoReach);
        Assert.NotEqual(0, ping.ExitCode);

        // Its own network it does get.
        await bed.Client.Networks.EnsureAsync(bed.ClientSpec(mine), CancellationToken.None);
        await bed.WaitForClientAsync(mine, s => s.Connected, "client attached to its own network");
        Assert.Equal([mine], bed.Hub.Relays.HubAttached.Select(a => a.NetworkId));

        // Dropped from the network's list (its machine moved away, say), it is detached at once and refused from then on.
        await bed.Hub.Networks.EnsureAsync(bed.HubSpec(mine, "laptop-of-someone-else"), CancellationToken.None);
        Assert.Empty(bed.Hub.Relays.HubAttached);
        await bed.WaitForClientAsync(
            mine, s => !s.Connected && s.LastError?.Contains("no node named in this certificate", StringComparison.Ordinal) == true, "client dropped");
    }

    [Fact]
    public async Task Relay_LinkCut_LocalBridgeStillWorks_AndRelayReconnectsByItself()
    {
        await using var bed = await RelayBed.CreateAsync(output);
        var net = ShortId.New();
        await bed.Hub.Networks.EnsureAsync(bed.HubSpec(net, RelayBed.ClientName), CancellationToken.None);
        await bed.Client.Networks.EnsureAsync(bed.ClientSpec(net), CancellationToken.None);
        var onHub = await bed.Underlay.AddGuestAsync(bed.Hub, net, "h1", "10.98.0.1/24");
        var first = await bed.Underlay.AddGuestAsync(bed.Client, net, "c1", "10.98.0.2/24");
        var second = await bed.Underlay.AddGuestAsync(bed.Client, net, "c2", "10.98.0.3/24");
        await bed.WaitForClientAsync(net, s => s.Connected, "client attached");
        await AssertReachesAsync(bed, first, onHub);

        await bed.Underlay.IpAsync("-n", bed.Client.Namespace, "link", "set", "dev", "svlxu", "down");
        await bed.WaitForClientAsync(net, s => !s.Connected, "relay noticed the cut");
        await AssertReachesAsync(bed, first, second);
        var cut = await bed.Underlay.PingAsync(first, onHub.Address, NoReach);
        Assert.NotEqual(0, cut.ExitCode);

        await bed.Underlay.IpAsync("-n", bed.Client.Namespace, "link", "set", "dev", "svlxu", "up");
        var back = await bed.WaitForClientAsync(net, s => s.Connected && s.Counters.Connects >= 2, "relay reconnected");
        Assert.True(back.Counters.Failures >= 1);
        await AssertReachesAsync(bed, first, onHub);
        await AssertReachesAsync(bed, second, onHub);
    }

    private async Task AssertReachesAsync(RelayBed bed, Overlay.Guest from, Overlay.Guest to)
    {
        var result = await bed.Underlay.PingAsync(from, to.Address, Reach);
        Assert.True(result.ExitCode == 0, $"{from.Namespace} could not reach {to.Address}:\n{result.Output}");
        output.WriteLine($"{from.Namespace} -> {to.Address}: ok");
    }
}
