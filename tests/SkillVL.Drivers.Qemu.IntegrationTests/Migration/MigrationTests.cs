using System.Diagnostics;
using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Migration;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Migration;

/// <summary>
/// The QEMU migration driver between two nodes on this host (two QEMU test hosts with their own data, runtime and
/// template store; the migration and NBD run over loopback, with TLS from a test CA). The guests have no NIC (two
/// hosts on one network namespace would share tap names); network continuity is tested on the testbed.
/// </summary>
public sealed class MigrationTests(ITestOutputHelper output)
{
    private const string Loopback = "127.0.0.1";
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Once with QEMU's own TLS and multifd + zstd (100 Mbit/s, no tunnel on offer), once through the nodes'
    /// tunnel (50 Mbit/s: the policy picks it; TLS and zstd in the tunnel, QEMU on unix sockets).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LiveMigration_OverlayOverTls_GuestProcessContinues_DataWrittenBeforeAndDuringMatches_SourceLeftEmpty(bool tunnel)
    {
        // QEMU 7.2 under TCG sometimes leaves a busy guest broken on the target (ADR 0012: a timer oops; 1 move in 24
        // between two server nodes, more on a loaded host). The Server's guest check takes such a move back; this driver
        // test has no source left to go back to, so it moves a fresh guest again — three broken moves in a row fail it.
        for (var attempt = 1; ; attempt++)
        {
            var broken = await MoveOnceAsync(tunnel);
            if (broken is null)
            {
                return;
            }

            Assert.True(attempt < 3, $"the guest broke on the target in {attempt} moves in a row: {broken}");
            output.WriteLine($"attempt {attempt}: the guest broke on the target ({broken}; QEMU 7.2 under TCG, ADR 0012); again with a fresh guest");
        }
    }

    /// <summary>One live move; null when it passed every check, else how the guest broke on the target (the known TCG
    /// breakage: its agent silent, or its counter process gone in the same boot).</summary>
    private async Task<string?> MoveOnceAsync(bool tunnel)
    {
        await using var source = await QemuTestHost.StartAsync(output);
        await using var target = await QemuTestHost.StartAsync(output);
        using var certificates = new TestNodeCertificates();
        certificates.WriteNode(source.Node.Migrations.TlsDirectory, Loopback);
        certificates.WriteNode(target.Node.Migrations.TlsDirectory, Loopback);
        var spec = source.NewVm("mover");
        await source.StartAndWaitForAgentAsync(spec);
        var before = await source.WriteDataAsync(spec.Id, "before", 16);
        var bootId = await BootIdAsync(source, spec.Id);
        var counterPid = await StartCounterAsync(source, spec.Id);

        // Without the tunnel, a 100 Mbit/s link: the policy picks multifd with zstd, so the test covers those parameters
        // on QEMU 7.2. With it, 50 Mbit/s: the policy picks the tunnel.
        var parameters = tunnel
            ? Plan(DataRate.FromMegabitsPerSecond(50), spec, MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel)
            : Plan(DataRate.FromMegabitsPerSecond(100), spec);
        Assert.Equal(tunnel ? MigrationTransport.Tunnel : MigrationTransport.Qemu, parameters.Transport);
        Assert.Equal(tunnel, parameters.MultifdChannels == 0);
        output.WriteLine($"parameters: {parameters.Transport} (zstd {parameters.TunnelCompressionLevel}), multifd {parameters.MultifdChannels}, {parameters.Compression} {parameters.CompressionLevel}, cap {parameters.MaxBandwidth.MegabitsPerSecond:0} Mbit/s");
        var migrationId = ShortId.New();
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Overlay, 256L << 20, parameters, Tls: true), CancellationToken.None);
        Assert.Equal(Loopback, incoming.TlsHostname);
        Assert.Equal(tunnel, incoming.TunnelPort > 0);
        Assert.Equal(tunnel, incoming.MigrationPort == 0);
        var request = new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Overlay, parameters, Tls: true);
        await source.Node.Migrations.StartDiskMirrorAsync(request, CancellationToken.None);
        var ready = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
        Assert.True(ready.DiskBytesDone >= 16L << 20, $"mirror copied {ready.DiskBytesDone} bytes, the overlay holds 16 MiB written before");

        // Written while the mirror is in sync: the write goes to both disks.
        var during = await source.WriteDataAsync(spec.Id, "during", 4);
        var stopwatch = Stopwatch.StartNew();
        await source.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
        var completed = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.Completed);
        output.WriteLine($"RAM phase {stopwatch.Elapsed.TotalSeconds:0.0} s, downtime {completed.Downtime?.TotalMilliseconds} ms, RAM {completed.RamBytesTotalTransferred} B, disk {completed.DiskBytesDone} B");
        Assert.NotNull(completed.Downtime);
        Assert.True(completed.RamBytesTotalTransferred > 0);
        output.WriteLine($"bytes through the tunnel: {completed.TunnelBytes}");
        Assert.Equal(tunnel, completed.TunnelBytes > 0);

        await source.Node.Migrations.CompleteOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.CompleteIncomingAsync(spec.Id, CancellationToken.None);
        await source.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await source.AssertNothingLeftAsync();

        if (await BrokenGuestAsync(target, spec.Id, counterPid) is { } broken)
        {
            output.WriteLine($"--- the target's serial.log ---\n{target.SerialLog(spec.Id)}");
            await target.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
            return broken;
        }

        // The same guest, not a reboot (its agent answered above): same boot id, the counter process still counts, both
        // data sets intact.
        Assert.Equal(bootId, await BootIdAsync(target, spec.Id));
        var first = await CounterAsync(target, spec.Id, counterPid);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(await CounterAsync(target, spec.Id, counterPid) > first, "the counter process stopped counting after the migration");
        Assert.Equal(before, await target.ChecksumAsync(spec.Id, "before"));
        Assert.Equal(during, await target.ChecksumAsync(spec.Id, "during"));

        // Only the overlay crossed: the target's disk is backed by the target's own copy of the template.
        var disk = await target.Node.Images.InfoAsync(Path.Combine(target.Options.DataDirectory, "vms", spec.Id, "disk.qcow2"), CancellationToken.None);
        Assert.Equal(Path.Combine(target.Options.DataDirectory, "templates", target.Template.Sha256, "disk.qcow2"), disk.BackingFile);
        Assert.False(File.Exists(Path.Combine(target.Options.DataDirectory, "vms", spec.Id, "incoming.json")));

        await target.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await target.AssertNothingLeftAsync();
        return null;
    }

    /// <summary>The guest on the target after a move: null when its agent answers within 20 s and the counter process
    /// still exists, else what is wrong.</summary>
    private static async Task<string?> BrokenGuestAsync(QemuTestHost target, string vmId, int counterPid)
    {
        try
        {
            await Bounded.WaitUntilAsync(
                () => target.Node.Vms.GuestPingAsync(vmId, TimeSpan.FromSeconds(2), CancellationToken.None),
                TimeSpan.FromSeconds(20), "the guest agent on the target", TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException)
        {
            return "its agent did not answer within 20 s";
        }

        var alive = await target.ExecAsync(vmId, "sh", "-c", $"kill -0 {counterPid}");
        return alive.ExitCode == 0 ? null : $"its counter process {counterPid} is gone";
    }

    [Fact]
    public async Task FullDiskTransfer_CopiesBaseAndOverlay_IntoAStandaloneDisk()
    {
        await using var source = await QemuTestHost.StartAsync(output);
        await using var target = await QemuTestHost.StartAsync(output);
        var spec = source.NewVm("whole");
        await source.StartAndWaitForAgentAsync(spec);
        var data = await source.WriteDataAsync(spec.Id, "data", 4);
        var parameters = Plan(DataRate.FromGigabitsPerSecond(1), spec);
        var migrationId = ShortId.New();
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Full, 0, parameters, Tls: false), CancellationToken.None);
        await source.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Full, parameters, Tls: false), CancellationToken.None);
        var ready = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
        await source.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.Completed);
        await source.Node.Migrations.CompleteOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.CompleteIncomingAsync(spec.Id, CancellationToken.None);
        await source.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);

        // sync=full walks the whole virtual disk (256 MiB) and writes the template's data too.
        Assert.Equal(256L << 20, ready.DiskBytesTotal);
        var disk = await target.Node.Images.InfoAsync(Path.Combine(target.Options.DataDirectory, "vms", spec.Id, "disk.qcow2"), CancellationToken.None);
        Assert.Null(disk.BackingFile);
        Assert.True(disk.ActualSizeBytes > 8L << 20, $"the standalone disk holds {disk.ActualSizeBytes} bytes");
        Assert.Equal(data, await target.ChecksumAsync(spec.Id, "data"));
        Assert.Equal(0, (await target.ExecAsync(spec.Id, "sh", "-c", "ls /bin/busybox && sync")).ExitCode);

        await target.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await source.AssertNothingLeftAsync();
        await target.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task OfflineMove_OfAStoppedVm_CarriesItsDisk_GuestNeverRunsOnEitherNode_CancelLeavesItStopped()
    {
        await using var source = await QemuTestHost.StartAsync(output);
        await using var target = await QemuTestHost.StartAsync(output);
        var spec = source.NewVm("parked");
        await source.StartAndWaitForAgentAsync(spec);
        var data = await source.WriteDataAsync(spec.Id, "data", 4);
        await source.Node.Vms.StopAsync(spec.Id, StopMode.Graceful, TimeSpan.FromSeconds(60), CancellationToken.None);
        var parameters = Plan(DataRate.FromGigabitsPerSecond(1), spec);

        // A cancelled offline move leaves the VM stopped on the source (its QEMU only held the disk for the copy).
        var cancelled = ShortId.New();
        var first = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(cancelled, spec, Loopback, DiskTransfer.Overlay, 0, parameters, Tls: false, Offline: true), CancellationToken.None);
        await source.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(cancelled, spec.Id, first, DiskTransfer.Overlay, parameters, Tls: false, Offline: true), CancellationToken.None);
        Assert.Equal(VmPowerState.Paused, (await source.ObserveAsync(spec.Id))!.State);
        await source.Node.Migrations.CancelOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);
        Assert.Equal(VmPowerState.Stopped, (await source.ObserveAsync(spec.Id))!.State);
        await target.AssertNothingLeftAsync();

        var migrationId = ShortId.New();
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Overlay, 0, parameters, Tls: false, Offline: true), CancellationToken.None);
        await source.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Overlay, parameters, Tls: false, Offline: true), CancellationToken.None);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
        await source.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.Completed);
        await source.Node.Migrations.CompleteOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.CompleteIncomingAsync(spec.Id, CancellationToken.None);

        // Still paused on the target: the guest has not run an instruction since it was stopped on the source.
        Assert.Equal(VmPowerState.Paused, (await target.ObserveAsync(spec.Id))!.State);
        Assert.DoesNotContain("login:", target.SerialLog(spec.Id), StringComparison.Ordinal);
        await target.Node.Vms.StopAsync(spec.Id, StopMode.Hard, TimeSpan.Zero, CancellationToken.None);
        await source.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await source.AssertNothingLeftAsync();

        // Started on the target later, it boots from the disk that moved.
        await target.StartAndWaitForAgentAsync(spec);
        Assert.Equal(data, await target.ChecksumAsync(spec.Id, "data"));
        await target.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await target.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task CancelDuringDisk_CancelDuringRam_TargetKilledDuringRam_VmKeepsRunningOnSource_TargetLeftEmpty()
    {
        await using var source = await QemuTestHost.StartAsync(output);
        await using var target = await QemuTestHost.StartAsync(output);
        var spec = source.NewVm("stayer");
        await source.StartAndWaitForAgentAsync(spec);
        var data = await source.WriteDataAsync(spec.Id, "data", 8);
        var bootId = await BootIdAsync(source, spec.Id);

        // 1 MiB/s: the 8 MiB overlay takes seconds to mirror and the guest's RAM far longer to copy.
        var parameters = Plan(DataRate.FromMebibytesPerSecond(1), spec) with
        {
            MaxBandwidth = DataRate.FromMebibytesPerSecond(1), MultifdChannels = 0, Compression = MigrationCompression.None, CompressionLevel = 0,
        };

        // 1. Cancel while the disk mirror copies.
        var (incoming, _) = await BeginAsync(source, target, spec, parameters);
        var copying = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.MirroringDisk, s => s.DiskBytesDone > 0);
        output.WriteLine($"cancelling the disk phase at {copying.DiskBytesDone}/{copying.DiskBytesTotal} bytes");
        await source.Node.Migrations.CancelOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);
        await AssertRunsOnSourceAsync(source, target, spec.Id, bootId, data);
        Assert.Equal(OutgoingMigrationState.None, (await source.Node.Migrations.GetOutgoingStatusAsync(spec.Id, CancellationToken.None)).State);

        // 2. Cancel while RAM is copied.
        await BeginAsync(source, target, spec, parameters);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
        await source.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
        var ram = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.MigratingRam, s => s.Ram is { TransferredBytes: > 1 << 20 });
        output.WriteLine($"cancelling the RAM phase at {ram.Ram!.TransferredBytes} bytes, {ram.Ram.RemainingBytes} remaining");
        await source.Node.Migrations.CancelOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);
        await AssertRunsOnSourceAsync(source, target, spec.Id, bootId, data);

        // 3. The target's QEMU dies while RAM is copied: the source sees the failure and keeps the VM.
        await BeginAsync(source, target, spec, parameters);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
        await source.Node.Migrations.StartRamMigrationAsync(spec.Id, CancellationToken.None);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.MigratingRam, s => s.Ram is { TransferredBytes: > 1 << 20 });
        var targetPid = target.QemuPid(spec.Id) ?? throw new InvalidOperationException("the target's QEMU has no pid");
        Process.GetProcessById(targetPid).Kill();
        var failed = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.Failed);
        output.WriteLine($"after the target died: {failed.Error}");
        Assert.False(string.IsNullOrEmpty(failed.Error));
        await source.Node.Migrations.CancelOutgoingAsync(spec.Id, CancellationToken.None);
        await target.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);
        await AssertRunsOnSourceAsync(source, target, spec.Id, bootId, data);

        // Abort never removes a VM that runs for real.
        await Assert.ThrowsAsync<Core.Errors.DriverException>(() => source.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None));
        await source.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await source.AssertNothingLeftAsync();
        _ = incoming;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TargetFrozenLikeACutLink_DuringDiskAndDuringRam_CancelReturnsPromptly_VmRunsOnSource(bool tunnel)
    {
        await using var source = await QemuTestHost.StartAsync(output);
        await using var target = await QemuTestHost.StartAsync(output);
        using var certificates = new TestNodeCertificates();
        certificates.WriteNode(source.Node.Migrations.TlsDirectory, Loopback);
        certificates.WriteNode(target.Node.Migrations.TlsDirectory, Loopback);
        var spec = source.NewVm("cut");
        await source.StartAndWaitForAgentAsync(spec);
        var data = await source.WriteDataAsync(spec.Id, "data", 8);
        var bootId = await BootIdAsync(source, spec.Id);
        var parameters = Plan(DataRate.FromMebibytesPerSecond(1), spec) with
        {
            MaxBandwidth = DataRate.FromMebibytesPerSecond(1), MultifdChannels = 0, Compression = MigrationCompression.None, CompressionLevel = 0,
            Transport = tunnel ? MigrationTransport.Tunnel : MigrationTransport.Qemu, TunnelCompressionLevel = tunnel ? 1 : 0,
        };

        // A stopped (SIGSTOP) target answers nothing and resets nothing: what the source sees when the link is cut.
        foreach (var phase in new[] { OutgoingMigrationState.MirroringDisk, OutgoingMigrationState.MigratingRam })
        {
            await BeginAsync(source, target, spec, parameters);
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

            var targetPid = target.QemuPid(spec.Id) ?? throw new InvalidOperationException("the target's QEMU has no pid");
            Assert.Equal(0, await RunAsync("kill", "-STOP", targetPid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var stopwatch = Stopwatch.StartNew();
            await source.Node.Migrations.CancelOutgoingAsync(spec.Id, CancellationToken.None);
            output.WriteLine($"cancel with a frozen target in {phase}: {stopwatch.Elapsed.TotalSeconds:0.0} s");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"cancel took {stopwatch.Elapsed}");

            // The link comes back: the target is told to drop what it had.
            Assert.Equal(0, await RunAsync("kill", "-CONT", targetPid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await target.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);
            await AssertRunsOnSourceAsync(source, target, spec.Id, bootId, data);
        }

        await source.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await source.AssertNothingLeftAsync();
    }

    private static async Task<int> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)) ?? throw new InvalidOperationException(file);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static MigrationParameters Plan(DataRate link, VmSpec spec, MigrationFeatures features = MigrationFeatures.Qemu72) => MigrationPolicy.Plan(
        new LinkMeasurement(link, TimeSpan.FromMilliseconds(1)),
        new VmMigrationProfile { MemoryBytes = spec.MemoryBytes, TargetHasBase = true },
        new MigrationLimits(),
        features);

    private static async Task<(IncomingMigration Incoming, string MigrationId)> BeginAsync(
        QemuTestHost source, QemuTestHost target, VmSpec spec, MigrationParameters parameters)
    {
        var migrationId = ShortId.New();
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Overlay, 256L << 20, parameters, Tls: false), CancellationToken.None);
        // The tunnel is always TLS (the target names itself for the source's check); QEMU's own TLS is off here.
        Assert.Equal(parameters.Transport == MigrationTransport.Tunnel ? Loopback : null, incoming.TlsHostname);
        await source.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Overlay, parameters, Tls: false), CancellationToken.None);
        return (incoming, migrationId);
    }

    private async Task AssertRunsOnSourceAsync(QemuTestHost source, QemuTestHost target, string vmId, string bootId, string checksum)
    {
        Assert.Equal(VmPowerState.Running, (await source.ObserveAsync(vmId))!.State);
        Assert.Equal(bootId, await BootIdAsync(source, vmId));
        Assert.Equal(checksum, await source.ChecksumAsync(vmId, "data"));
        var write = await source.ExecAsync(vmId, "sh", "-c", "echo still-writable > /root/probe && sync && cat /root/probe");
        Assert.Equal("still-writable", write.Stdout.Trim());
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
            if (last.State is OutgoingMigrationState.Failed && wanted != OutgoingMigrationState.Failed)
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
