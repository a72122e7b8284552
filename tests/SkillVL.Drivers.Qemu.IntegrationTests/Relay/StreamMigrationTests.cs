using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Migration;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.IntegrationTests.Migration;
using SkillVL.Drivers.Qemu.IntegrationTests.Overlay;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Relay;

/// <summary>
/// A running VM moved live between a bridge-mode server node (a relay hub, taps on a bridge) and a stream-mode client
/// (ADR 0052: QEMU <c>-netdev stream</c> into the agent's switch), and back: the target's QEMU gets the target's own NIC
/// backend with the same NIC device, and the room network works on each side. Both nodes run on this host's namespace
/// (the client makes no interface, so nothing collides); the relay and the migration go over loopback. The peer behind
/// the hub is a namespace on the server's bridge, the client's second VM a tiny guest.
/// </summary>
public sealed class StreamMigrationTests(ITestOutputHelper output)
{
    private const string Loopback = "127.0.0.1";
    private const string HubName = "hub";
    private const string ClientName = "laptop";
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LiveMove_BridgeNodeToStreamClientAndBack_GuestRunsOn_AndReachesTheHubsPeerAndTheClientsVm()
    {
        var total = Stopwatch.StartNew();
        await using var server = await QemuTestHost.StartAsync(output);
        // The relay's default clocks on both ends (the hub is a plain node's).
        await using var client = await QemuTestHost.StartAsync(output, vmNetwork: QemuDriverOptions.StreamNetworking);
        using var certificates = new TestNodeCertificates();
        certificates.WriteNode(server.Node.Migrations.TlsDirectory, Loopback, HubName);
        certificates.WriteNode(client.Node.Migrations.TlsDirectory, Loopback, ClientName);
        var net = ShortId.New();
        var port = FreePort();
        await server.Node.Networks.EnsureAsync(
            new NetworkSpec(net, TwoNodeUnderlay.GuestMtu, RelayHub: new NetworkRelayHub(Loopback, port, [ClientName])), CancellationToken.None);
        var mover = server.NewVm("mover", net);

        // A move onto the client before its switch of the network exists: refused as transient (ensure the network first),
        // before any QEMU starts, and nothing of the VM stays on the client.
        var early = await Assert.ThrowsAsync<Core.Errors.DriverException>(() => client.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(ShortId.New(), mover, Loopback, DiskTransfer.Overlay, 256L << 20, Plan(mover), Tls: false),
            CancellationToken.None));
        Assert.True(early.IsTransient);
        Assert.Contains($"Network {net} does not exist on this node", early.Message, StringComparison.Ordinal);
        await client.AssertNothingLeftAsync();

        await client.Node.Networks.EnsureAsync(
            new NetworkSpec(net, TwoNodeUnderlay.GuestMtu, Relay: new NetworkRelay(Loopback, port, HubName)), CancellationToken.None);
        await using var peer = await PeerNamespace.CreateAsync(output, InterfaceNames.Bridge(net), "10.97.0.1/24");

        var local = client.NewVm("local", net);
        await Task.WhenAll(server.StartAndWaitForAgentAsync(mover), client.StartAndWaitForAgentAsync(local));
        await server.ConfigureNicAsync(mover, "10.97.0.2/24");
        await client.ConfigureNicAsync(local, "10.97.0.3/24");
        await Bounded.WaitUntilAsync(() => client.Node.Streams!.ClientStatus(net)?.Connected == true, WaitLimit, "the relay link to the hub");
        await AssertPingsAsync(server, mover, "10.97.0.3"); // before: the bridge and the switch learn where each guest is
        var bootId = (await server.ExecAsync(mover.Id, "cat", "/proc/sys/kernel/random/boot_id")).Stdout.Trim();
        var counter = await server.ExecAsync(mover.Id, "sh", "-c",
            "(i=0; while :; do i=$((i+1)); echo $i > /run/counter; sleep 0.1; done) </dev/null >/dev/null 2>&1 & echo $!");
        var counterPid = int.Parse(counter.Stdout.Trim(), CultureInfo.InvariantCulture);

        // Onto the client: its QEMU listens on a stream socket per NIC, the agent's switch plugs in before the switch-over.
        await MoveAsync(server, client, mover, "onto the stream client");
        await AssertGuestRunsOnAsync(client, mover.Id, bootId, counterPid);
        Assert.Equal(
            new[] { "relay", local.Nics[0].Id, mover.Nics[0].Id }.Order(StringComparer.Ordinal),
            client.Node.Streams!.SwitchOf(net)!.Ports.Select(p => p.Name).Order(StringComparer.Ordinal));
        await AssertPingsAsync(client, mover, "10.97.0.1"); // through the relay to the hub's bridge
        await AssertPingsAsync(client, mover, "10.97.0.3"); // through the client's switch
        await peer.AssertPingsAsync("10.97.0.2");           // the hub's bridge learnt where the guest is now

        // And back onto the bridge node: a tap again, the client's switch keeps only its own VM.
        await MoveAsync(client, server, mover, "back to the bridge node");
        await AssertGuestRunsOnAsync(server, mover.Id, bootId, counterPid);
        Assert.Equal(new[] { "relay", local.Nics[0].Id }.Order(StringComparer.Ordinal), client.Node.Streams!.SwitchOf(net)!.Ports.Select(p => p.Name).Order(StringComparer.Ordinal));
        await AssertPingsAsync(server, mover, "10.97.0.1");
        await AssertPingsAsync(server, mover, "10.97.0.3");
        await AssertPingsAsync(client, local, "10.97.0.2");

        await server.Node.Vms.DeleteAsync(mover.Id, CancellationToken.None);
        await client.Node.Vms.DeleteAsync(local.Id, CancellationToken.None);
        await client.Node.Networks.DeleteAsync(net, CancellationToken.None);
        await peer.DisposeAsync();
        await server.Node.Networks.DeleteAsync(net, CancellationToken.None);
        await server.AssertNothingLeftAsync();
        await client.AssertNothingLeftAsync();
        output.WriteLine($"whole test {total.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>One live move of <paramref name="vm"/> (overlay mirror and RAM over loopback, no TLS), source left empty.</summary>
    private async Task MoveAsync(QemuTestHost source, QemuTestHost target, VmSpec vm, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        var parameters = Plan(vm);
        var migrationId = ShortId.New();
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, vm, Loopback, DiskTransfer.Overlay, 256L << 20, parameters, Tls: false), CancellationToken.None);
        await source.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, vm.Id, incoming, DiskTransfer.Overlay, parameters, Tls: false), CancellationToken.None);
        await WaitForStateAsync(source, vm.Id, OutgoingMigrationState.DiskReady);
        await source.Node.Migrations.StartRamMigrationAsync(vm.Id, CancellationToken.None);
        var completed = await WaitForStateAsync(source, vm.Id, OutgoingMigrationState.Completed);
        await source.Node.Migrations.CompleteOutgoingAsync(vm.Id, CancellationToken.None);
        await target.Node.Migrations.CompleteIncomingAsync(vm.Id, CancellationToken.None);
        await source.Node.Vms.DeleteAsync(vm.Id, CancellationToken.None);
        output.WriteLine(
            $"move {what}: {stopwatch.Elapsed.TotalSeconds:0.0} s prepare to complete, downtime {completed.Downtime?.TotalMilliseconds} ms, " +
            $"RAM {completed.RamBytesTotalTransferred} B, disk {completed.DiskBytesDone} B");
        Assert.NotNull(completed.Downtime);
        Assert.Null(await source.ObserveAsync(vm.Id));
    }

    private static MigrationParameters Plan(VmSpec vm) => MigrationPolicy.Plan(
        new LinkMeasurement(DataRate.FromMegabitsPerSecond(1000), TimeSpan.FromMilliseconds(1)),
        new VmMigrationProfile { MemoryBytes = vm.MemoryBytes, TargetHasBase = true },
        new MigrationLimits(),
        MigrationFeatures.Qemu72);

    /// <summary>The same guest on the target, not a reboot: its agent answers, same boot id, its counter still counts.</summary>
    private static async Task AssertGuestRunsOnAsync(QemuTestHost host, string vmId, string bootId, int counterPid)
    {
        await Bounded.WaitUntilAsync(
            () => host.Node.Vms.GuestPingAsync(vmId, TimeSpan.FromSeconds(2), CancellationToken.None),
            WaitLimit, "the guest agent on the target", TimeSpan.FromMilliseconds(200));
        Assert.Equal(bootId, (await host.ExecAsync(vmId, "cat", "/proc/sys/kernel/random/boot_id")).Stdout.Trim());
        var first = await CounterAsync(host, vmId, counterPid);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(await CounterAsync(host, vmId, counterPid) > first, "the counter process stopped counting after the move");
    }

    private static async Task<long> CounterAsync(QemuTestHost host, string vmId, int pid)
    {
        var result = await host.ExecAsync(vmId, "sh", "-c", $"kill -0 {pid} && cat /run/counter");
        Assert.Equal(0, result.ExitCode);
        return long.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture);
    }

    private async Task<OutgoingMigrationStatus> WaitForStateAsync(QemuTestHost source, string vmId, OutgoingMigrationState wanted)
    {
        OutgoingMigrationStatus? last = null;
        await Bounded.WaitUntilAsync(async () =>
        {
            last = await source.Node.Migrations.GetOutgoingStatusAsync(vmId, CancellationToken.None);
            if (last.State is OutgoingMigrationState.Failed)
            {
                throw new InvalidOperationException("The migration failed: " + last.Error);
            }

            return last.State == wanted;
        }, PhaseTimeout, $"migration state {wanted}", TimeSpan.FromMilliseconds(100));
        output.WriteLine($"{wanted}: disk {last!.DiskBytesDone}/{last.DiskBytesTotal}, RAM {last.Ram?.TransferredBytes}/{last.Ram?.MemoryBytes}");
        return last;
    }

    private static async Task AssertPingsAsync(QemuTestHost host, VmSpec from, string address)
    {
        // The first echo may be lost to ARP; a few tries, each bounded by -W.
        var ping = await host.ExecAsync(from.Id, "ping", "-c", "3", "-W", "2", address);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        Assert.Contains("bytes from " + address, ping.Stdout, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
