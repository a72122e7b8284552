using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Migration;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Migration;

/// <summary>
/// Live migration in reverse mode (ADR 0020) between two QEMU nodes on this host: the source opens the rendezvous and the
/// probe endpoint, the target — standing for a client behind NAT — opens every connection. Real tiny guests, real TLS
/// from a test CA, the tunnel's zstd. The guests have no NIC (see <see cref="MigrationTests"/>).
/// </summary>
public sealed class ReverseMigrationTests(ITestOutputHelper output)
{
    private const string Loopback = "127.0.0.1";
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ReverseMode_TargetDialsOut_LiveMigrationCompletes_CounterContinues_DataIntact_TargetListensNowhere()
    {
        await using var source = await QemuTestHost.StartAsync(output);
        await using var target = await QemuTestHost.StartAsync(output);
        using var certificates = new TestNodeCertificates();
        certificates.WriteNode(source.Node.Migrations.TlsDirectory, Loopback);
        certificates.WriteNode(target.Node.Migrations.TlsDirectory, Loopback);
        var spec = source.NewVm("reverse");
        await source.StartAndWaitForAgentAsync(spec);
        var before = await source.WriteDataAsync(spec.Id, "before", 16);
        var bootId = await BootIdAsync(source, spec.Id);
        var counterPid = await StartCounterAsync(source, spec.Id);
        var migrationId = ShortId.New();

        // The link probe, the other way round: the source's endpoint, the target dials, the source measures.
        var probe = await source.Node.Migrations.OpenReverseLinkProbeAsync(migrationId, Loopback, CancellationToken.None);
        Assert.True(probe.Reverse);
        var link = await target.Node.Migrations.ProbeLinkAsync(probe, CancellationToken.None);
        await source.Node.Migrations.CloseLinkProbeAsync(migrationId, CancellationToken.None);
        output.WriteLine($"reverse probe: RTT {link.RoundTripTime.TotalMilliseconds:0.###} ms, {link.Bandwidth.MegabitsPerSecond:0} Mbit/s");
        Assert.True(link.Bandwidth.BytesPerSecond > 0);

        var parameters = TunnelPlan(spec);
        var rendezvous = await source.Node.Migrations.OpenOutgoingRendezvousAsync(migrationId, spec.Id, Loopback, CancellationToken.None);
        Assert.Equal(rendezvous, await source.Node.Migrations.OpenOutgoingRendezvousAsync(migrationId, spec.Id, Loopback, CancellationToken.None));
        var request = new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Overlay, 256L << 20, parameters, Tls: true, DialSource: rendezvous);
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(request, CancellationToken.None);
        Assert.True(incoming.DialsSource);
        Assert.Equal((0, 0, 0), (incoming.TunnelPort, incoming.MigrationPort, incoming.NbdPort));
        Assert.Equal(incoming, await target.Node.Migrations.PrepareIncomingAsync(request, CancellationToken.None));
        var targetPid = target.QemuPid(spec.Id) ?? throw new InvalidOperationException("the target's QEMU has no pid");
        Assert.Empty(await TcpListenersOfAsync(targetPid));

        await source.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Overlay, parameters, Tls: true), CancellationToken.None);
        var ready = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
        Assert.True(ready.DiskBytesDone >= 16L << 20, $"mirror copied {ready.DiskBytesDone} bytes, the overlay holds 16 MiB written before");
        var during = await source.WriteDataAsync(spec.Id, "during", 4);
        var clock = Stopwatch.StartNew();
        await source.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
        var completed = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.Completed);
        output.WriteLine($"RAM phase {clock.Elapsed.TotalSeconds:0.0} s, downtime {completed.Downtime?.TotalMilliseconds} ms, RAM {completed.RamBytesTotalTransferred} B, " +
            $"disk {completed.DiskBytesDone} B, {completed.TunnelBytes} B through the tunnel");
        Assert.True(completed.TunnelBytes > 0);
        Assert.Empty(await TcpListenersOfAsync(targetPid));

        await source.Node.Migrations.CompleteOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.CompleteIncomingAsync(spec.Id, CancellationToken.None);
        await source.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await source.AssertNothingLeftAsync();
        await AssertRefusedAsync(rendezvous.Port);

        await target.WaitForAgentAsync(spec.Id);
        Assert.Equal(bootId, await BootIdAsync(target, spec.Id));
        var first = await CounterAsync(target, spec.Id, counterPid);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(await CounterAsync(target, spec.Id, counterPid) > first, "the counter process stopped counting after the migration");
        Assert.Equal(before, await target.ChecksumAsync(spec.Id, "before"));
        Assert.Equal(during, await target.ChecksumAsync(spec.Id, "during"));
        await target.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await target.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task ReverseMode_CancelDuringDiskAndDuringRam_TargetUnreachable_VmKeepsRunningOnSource_NoListenerLeft()
    {
        await using var source = await QemuTestHost.StartAsync(output);
        await using var target = await QemuTestHost.StartAsync(output);
        using var certificates = new TestNodeCertificates();
        certificates.WriteNode(source.Node.Migrations.TlsDirectory, Loopback);
        certificates.WriteNode(target.Node.Migrations.TlsDirectory, Loopback);
        var spec = source.NewVm("stays");
        await source.StartAndWaitForAgentAsync(spec);
        var data = await source.WriteDataAsync(spec.Id, "data", 8);
        var bootId = await BootIdAsync(source, spec.Id);

        // 1 MiB/s: the disk takes seconds and RAM far longer, so both phases can be caught mid-way.
        var parameters = TunnelPlan(spec) with { MaxBandwidth = DataRate.FromMebibytesPerSecond(1) };
        foreach (var phase in new[] { OutgoingMigrationState.MirroringDisk, OutgoingMigrationState.MigratingRam })
        {
            var port = await BeginAsync(source, target, spec, parameters, rendezvous => rendezvous);
            if (phase == OutgoingMigrationState.MigratingRam)
            {
                await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
                await source.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
                await WaitForStateAsync(source, spec.Id, phase, s => s.Ram is { TransferredBytes: > 1 << 20 });
            }
            else
            {
                await WaitForStateAsync(source, spec.Id, phase, s => s.DiskBytesDone > 0);
            }

            var clock = Stopwatch.StartNew();
            await source.Node.Migrations.CancelOutgoingAsync(spec.Id, CancellationToken.None);
            await target.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);
            output.WriteLine($"cancel in {phase}: {clock.Elapsed.TotalSeconds:0.0} s");
            await AssertRefusedAsync(port);
            await AssertRunsOnSourceAsync(source, target, spec.Id, bootId, data);
        }

        // A target that cannot reach the source (here: dials a port nobody listens on): the mirror's start fails with the
        // reason, before anything moved; the cleanup leaves the VM running where it was.
        var clockUnreachable = Stopwatch.StartNew();
        var unreachable = await Assert.ThrowsAsync<DriverException>(() => BeginAsync(source, target, spec, parameters, r => r with { Port = FreePort() }));
        output.WriteLine($"unreachable source after {clockUnreachable.Elapsed.TotalSeconds:0.0} s: {unreachable.Message}");
        Assert.Contains("did not connect", unreachable.Message, StringComparison.Ordinal);
        await source.Node.Migrations.CancelOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);
        await AssertRunsOnSourceAsync(source, target, spec.Id, bootId, data);

        await source.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await source.AssertNothingLeftAsync();
    }

    /// <summary>The rendezvous on the source, the target prepared to dial <paramref name="dial"/>(rendezvous), the mirror
    /// started; returns the rendezvous's port.</summary>
    private static async Task<int> BeginAsync(
        QemuTestHost source, QemuTestHost target, VmSpec spec, MigrationParameters parameters, Func<OutgoingRendezvous, OutgoingRendezvous> dial)
    {
        var migrationId = ShortId.New();
        var rendezvous = await source.Node.Migrations.OpenOutgoingRendezvousAsync(migrationId, spec.Id, Loopback, CancellationToken.None);
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Overlay, 256L << 20, parameters, Tls: false, DialSource: dial(rendezvous)),
            CancellationToken.None);
        await source.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Overlay, parameters, Tls: false), CancellationToken.None);
        return rendezvous.Port;
    }

    private static MigrationParameters TunnelPlan(VmSpec spec)
    {
        var parameters = MigrationPolicy.Plan(
            new LinkMeasurement(DataRate.FromMegabitsPerSecond(50), TimeSpan.FromMilliseconds(1)),
            new VmMigrationProfile { MemoryBytes = spec.MemoryBytes, TargetHasBase = true },
            new MigrationLimits(),
            MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel);
        Assert.Equal(MigrationTransport.Tunnel, parameters.Transport);
        return parameters;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The TCP ports <paramref name="pid"/> listens on (<c>ss -ltnpH</c>).</summary>
    private static async Task<List<string>> TcpListenersOfAsync(int pid)
    {
        var result = await HostTools.RunAsync("ss", ["-ltnpH"], TimeSpan.FromSeconds(10));
        return [.. result.Stdout.Split('\n').Where(l => l.Contains($"pid={pid},", StringComparison.Ordinal))];
    }

    private static async Task AssertRefusedAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () =>
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(TimeSpan.FromSeconds(5)));
    }

    private async Task AssertRunsOnSourceAsync(QemuTestHost source, QemuTestHost target, string vmId, string bootId, string checksum)
    {
        Assert.Equal(VmPowerState.Running, (await source.ObserveAsync(vmId))!.State);
        Assert.Equal(bootId, await BootIdAsync(source, vmId));
        Assert.Equal(checksum, await source.ChecksumAsync(vmId, "data"));
        await target.AssertNothingLeftAsync();
        output.WriteLine("the VM runs on the source; the target holds nothing");
    }

    private async Task<OutgoingMigrationStatus> WaitForStateAsync(
        QemuTestHost source, string vmId, OutgoingMigrationState wanted, Func<OutgoingMigrationStatus, bool>? also = null)
    {
        OutgoingMigrationStatus? last = null;
        await Bounded.WaitUntilAsync(async () =>
        {
            last = await source.Node.Migrations.GetOutgoingStatusAsync(vmId, CancellationToken.None);
            if (last.State is OutgoingMigrationState.Failed)
            {
                throw new InvalidOperationException("The migration failed: " + last.Error);
            }

            return last.State == wanted && (also?.Invoke(last) ?? true);
        }, PhaseTimeout, $"migration state {wanted}", TimeSpan.FromMilliseconds(100));
        output.WriteLine($"{wanted}: disk {last!.DiskBytesDone}/{last.DiskBytesTotal}, RAM {last.Ram?.TransferredBytes}/{last.Ram?.MemoryBytes}");
        return last;
    }



    private static async Task<string> BootIdAsync(QemuTestHost host, string vmId) =>
        (await host.ExecAsync(vmId, "cat", "/proc/sys/kernel/random/boot_id")).Stdout.Trim();

    private static async Task<int> StartCounterAsync(QemuTestHost host, string vmId)
    {
        var result = await host.ExecAsync(vmId, "sh", "-c",
            "(i=0; while :; do i=$((i+1)); echo $i > /run/counter; sleep 0.1; done) </dev/null >/dev/null 2>&1 & echo $!");
        return int.Parse(result.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> CounterAsync(QemuTestHost host, string vmId, int pid)
    {
        var result = await host.ExecAsync(vmId, "sh", "-c", $"kill -0 {pid} && cat /run/counter");
        Assert.Equal(0, result.ExitCode);
        return long.Parse(result.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
