using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Drivers.Qemu.IntegrationTests.Overlay;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Relay;

/// <summary>
/// Stream mode (ADR 0052) with real tiny guests: a client node whose QEMUs use <c>-netdev stream</c> into the agent's own
/// switch, relayed to a hub with a bridge (ADR 0019, unchanged). The client's QEMUs need no network namespace of their
/// own (they have no interface on the host); only the relay's socket is made in the client's namespace, on its underlay.
/// </summary>
public sealed class StreamModeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task StreamMode_ClientVmsReachEachOtherAndTheHub_NoTapNoBridge_AndOfflineFirst()
    {
        await using var bed = await RelayBed.CreateAsync(output);
        await using var client = await QemuTestHost.StartAsync(
            output,
            vmNetwork: QemuDriverOptions.StreamNetworking,
            streamRelay: (TwoNodeUnderlay.RelayClocks, work => NetworkNamespaceThread.Run(bed.Client.Namespace, work)));
        bed.Certificates.WriteNode(
            Core.Nodes.NodeTlsFiles.DirectoryOf(client.Options.DataDirectory), bed.Client.UnderlayAddress, RelayBed.ClientName);
        var streams = client.Node.Streams!;
        var net = ShortId.New();
        await bed.Hub.Networks.EnsureAsync(bed.HubSpec(net, RelayBed.ClientName), CancellationToken.None);
        await client.Node.Networks.EnsureAsync(bed.ClientSpec(net), CancellationToken.None);
        var onHub = await bed.Underlay.AddGuestAsync(bed.Hub, net, "h1", "10.98.0.1/24");
        var a = client.NewVm("a", net);
        var b = client.NewVm("b", net);
        await Task.WhenAll(client.StartAndWaitForAgentAsync(a), client.StartAndWaitForAgentAsync(b));
        await client.ConfigureNicAsync(a, "10.98.0.2/24");
        await client.ConfigureNicAsync(b, "10.98.0.3/24");
        await Bounded.WaitUntilAsync(() => streams.ClientStatus(net)?.Connected == true, WaitLimit, "the relay link to the hub");

        await AssertPingsAsync(client, a, "10.98.0.3");
        await AssertPingsAsync(client, a, onHub.Address);
        await AssertPingsAsync(client, b, onHub.Address);
        var back = await bed.Underlay.PingAsync(onHub, "10.98.0.2", "-c", "2", "-i", "0.2", "-w", "5");
        Assert.True(back.ExitCode == 0, back.Output);

        // The room's MTU end to end: 1422 + 28 = 1450 crosses whole; 1423 is refused by the guest's own stack.
        var fits = await client.ExecAsync(a.Id, "ping", "-M", "do", "-s", "1422", "-c", "2", "-W", "2", onHub.Address);
        Assert.True(fits.ExitCode == 0, fits.Stdout + fits.Stderr);
        var tooBig = await client.ExecAsync(a.Id, "ping", "-M", "do", "-s", "1423", "-c", "1", "-W", "2", onHub.Address);
        Assert.NotEqual(0, tooBig.ExitCode);
        Assert.Contains("message too long", tooBig.Stdout + tooBig.Stderr, StringComparison.OrdinalIgnoreCase);

        // No tap, no bridge, no relay tap: the client's namespace has its loopback and underlay only, and nothing on the
        // host carries this instance's alias.
        var links = await bed.Underlay.LinksAsync(bed.Client);
        output.WriteLine("client links: " + string.Join(", ", links.Select(l => $"{l.Name} ({l.Kind ?? "-"})")));
        Assert.Equal(["lo", "svlxu"], links.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.Empty(await HostInterfaces.WithAliasAsync(client.Alias));
        Assert.Empty(await bed.ListeningTcpAsync(bed.Client));

        // Security: each NIC's socket (QEMU listens on it) lies in its VM's own runtime directory (root:qemu 1770, ADR
        // 0016) and is writable by its owner only, so no other local user can connect to a VM's network port or swap it.
        foreach (var vm in new[] { a, b })
        {
            var socket = Path.Combine(client.Options.RuntimeDirectory, "vms", vm.Id, $"nic-{vm.Nics[0].Id}.sock");
            Assert.True(File.Exists(socket), socket);
            var mode = File.GetUnixFileMode(socket);
            Assert.True((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0, $"{socket} is {mode}");
            var directory = File.GetUnixFileMode(Path.GetDirectoryName(socket)!);
            Assert.True((directory & UnixFileMode.OtherWrite) == 0 && directory.HasFlag(UnixFileMode.StickyBit), $"its directory is {directory}");
        }

        // Relay cut: the two client guests still reach each other through the agent's switch; the hub's guest does not.
        await bed.Underlay.IpAsync("-n", bed.Client.Namespace, "link", "set", "dev", "svlxu", "down");
        await Bounded.WaitUntilAsync(() => streams.ClientStatus(net)?.Connected == false, WaitLimit, "the relay noticing the cut");
        await AssertPingsAsync(client, a, "10.98.0.3");
        var cut = await client.ExecAsync(a.Id, "ping", "-c", "2", "-W", "1", onHub.Address);
        Assert.NotEqual(0, cut.ExitCode);

        // Back: the link reconnects by itself and the hub's guest answers again.
        await bed.Underlay.IpAsync("-n", bed.Client.Namespace, "link", "set", "dev", "svlxu", "up");
        await Bounded.WaitUntilAsync(() => streams.ClientStatus(net)?.Connected == true, WaitLimit, "the relay reconnecting");
        await AssertPingsAsync(client, a, onHub.Address);
        var sw = streams.SwitchOf(net)!;
        output.WriteLine(
            $"switch: forwarded={sw.Counters.Forwarded} flooded={sw.Counters.Flooded} filtered={sw.Counters.Filtered} " +
            $"bad size={sw.Counters.BadSize}; relay: {streams.ClientStatus(net)!.Counters.FramesSent} frames sent, " +
            $"{streams.ClientStatus(net)!.Counters.FramesDropped} dropped while cut");
        Assert.True(sw.Counters.Forwarded > 0);
        Assert.True(streams.ClientStatus(net)!.Counters.FramesDropped > 0, "the frames for the hub during the cut were not counted");

        await Task.WhenAll(
            client.Node.Vms.DeleteAsync(a.Id, CancellationToken.None),
            client.Node.Vms.DeleteAsync(b.Id, CancellationToken.None));
        await client.Node.Networks.DeleteAsync(net, CancellationToken.None);
        await bed.Hub.Networks.DeleteAsync(net, CancellationToken.None);
        Assert.Empty(await client.Node.Networks.ListAsync(CancellationToken.None));
        await client.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task StreamMode_AgentRestart_ReconnectsToTheRunningVms()
    {
        await using var host = await QemuTestHost.StartAsync(output, vmNetwork: QemuDriverOptions.StreamNetworking);
        var net = await host.NewNetworkAsync();
        var a = host.NewVm("a", net);
        var b = host.NewVm("b", net);
        await Task.WhenAll(host.StartAndWaitForAgentAsync(a), host.StartAndWaitForAgentAsync(b));
        await host.ConfigureNicAsync(a, "10.0.1.11/24");
        await host.ConfigureNicAsync(b, "10.0.1.12/24");
        await AssertPingsAsync(host, a, "10.0.1.12");

        // A new agent process: its switches are gone, the QEMUs run on and listen again. The Server ensures the network
        // again and the next list of VMs plugs their NICs back in (QemuVmDriver.ListAsync), as a reconcile pass does.
        await host.RestartNodeAsync();
        await host.Node.Networks.EnsureAsync(new Core.Networking.NetworkSpec(net, 1450), CancellationToken.None);
        Assert.Equal(2, (await host.Node.Vms.ListAsync(CancellationToken.None)).Count);
        await Bounded.WaitUntilAsync(
            () => host.Node.Streams!.SwitchOf(net)!.Ports.Count == 2, WaitLimit, "both NICs attached again");
        await AssertPingsAsync(host, a, "10.0.1.12");
        await AssertPingsAsync(host, b, "10.0.1.11");

        await Task.WhenAll(host.Node.Vms.DeleteAsync(a.Id, CancellationToken.None), host.Node.Vms.DeleteAsync(b.Id, CancellationToken.None));
        Assert.Empty(host.Node.Streams!.SwitchOf(net)!.Ports);
        await host.Node.Networks.DeleteAsync(net, CancellationToken.None);
        await host.AssertNothingLeftAsync();
    }

    private static async Task AssertPingsAsync(QemuTestHost host, VmSpec from, string address)
    {
        // The first echo may be lost to ARP; a few tries, each bounded by -W.
        var ping = await host.ExecAsync(from.Id, "ping", "-c", "3", "-W", "2", address);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        Assert.Contains("bytes from " + address, ping.Stdout, StringComparison.Ordinal);
    }
}
