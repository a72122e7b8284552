using System.Diagnostics;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu.Disks.Rbd;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Ceph;

/// <summary>
/// Live migration between two QEMU nodes (two test hosts in this process, loopback) that keep their disks in the same
/// private Ceph pool (issue 16, ADR 0055 "shared pool"): the target opens the source's very RBD image, only RAM moves;
/// the source's leftovers go but the image stays, now the target's; a move that would need a mirror is refused on RBD.
/// </summary>
public sealed class RbdMigrationTests(CephClusterFixture ceph, ITestOutputHelper output) : IClassFixture<CephClusterFixture>
{
    private const string Loopback = "127.0.0.1";
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(120);

    private CephCluster Cluster => ceph.Cluster;

    [Fact]
    public async Task SharedPool_MovesRamOnly_GuestKeepsItsDiskAndProcess_SourceLeftoversGoImageStays()
    {
        var ct = CancellationToken.None;
        await using var source = await QemuTestHost.StartAsync(output, configure: Rbd(Cluster));
        await using var target = await QemuTestHost.StartAsync(output, configure: Rbd(Cluster));
        await source.Node.PrepareAsync(ct);
        await target.Node.PrepareAsync(ct);

        // Both nodes name the cluster (its fsid, read as the node's profile-rbd user) and the pool: they share disks.
        var fsid = (await Cluster.CephAsync("fsid")).Trim();
        Assert.Equal(new NodeStorage(NodeStorage.Rbd, fsid, CephCluster.Pool), source.Node.Storage);
        Assert.True(NodeStorage.SharesDisks(source.Node.Storage, target.Node.Storage));

        var spec = source.NewVm("shared");
        await source.StartAndWaitForAgentAsync(spec);
        var before = await source.WriteDataAsync(spec.Id, "before", 16);
        var bootId = await ExecTextAsync(source, spec.Id, "cat /proc/sys/kernel/random/boot_id");
        var counterPid = int.Parse(
            await ExecTextAsync(source, spec.Id, "(i=0; while :; do i=$((i+1)); echo $i > /run/counter; sleep 0.1; done) </dev/null >/dev/null 2>&1 & echo $!"),
            System.Globalization.CultureInfo.InvariantCulture);
        var template = RbdSettings.TemplateImage(source.Template.Sha256);
        var image = RbdSettings.VmImage(spec.Id);

        var (completed, elapsed) = await MoveAsync(source, target, spec, DiskTransfer.Shared, written: () => source.WriteDataAsync(spec.Id, "during", 4));
        output.WriteLine(
            $"MEASURE rbd shared pool: {elapsed.TotalSeconds:0.0} s, disk {completed.DiskBytesDone} B, RAM {completed.RamBytesTotalTransferred} B "
            + $"of {spec.MemoryBytes} B, downtime {completed.Downtime?.TotalMilliseconds} ms");

        // RAM only: no disk byte moved, and less than the guest's RAM plus a margin for device state crossed.
        Assert.Equal(0, completed.DiskBytesDone);
        Assert.Equal(0, completed.DiskBytesTotal);
        Assert.True(completed.RamBytesTotalTransferred > 0);
        Assert.True(completed.RamBytesTotalTransferred < spec.MemoryBytes + (16L << 20), $"{completed.RamBytesTotalTransferred} B crossed");

        // No second clone was made, and deleting the source's leftovers leaves the image the target runs on.
        Assert.Equal(Sorted(template, image), Sorted([.. await Cluster.ImagesAsync()]));
        await source.Node.Vms.DeleteAsync(spec.Id, ct);
        await source.AssertNothingLeftAsync();
        Assert.Equal(Sorted(template, image), Sorted([.. await Cluster.ImagesAsync()]));

        // The same guest on the target: its agent answers, same boot, the counter still counts, both data sets intact.
        await Bounded.WaitUntilAsync(
            () => target.Node.Vms.GuestPingAsync(spec.Id, TimeSpan.FromSeconds(2), ct), TimeSpan.FromSeconds(30), "the guest agent on the target",
            TimeSpan.FromMilliseconds(200));
        Assert.Equal(bootId, await ExecTextAsync(target, spec.Id, "cat /proc/sys/kernel/random/boot_id"));
        var first = long.Parse(await ExecTextAsync(target, spec.Id, $"kill -0 {counterPid} && cat /run/counter"), System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        Assert.True(
            long.Parse(await ExecTextAsync(target, spec.Id, $"kill -0 {counterPid} && cat /run/counter"), System.Globalization.CultureInfo.InvariantCulture) > first,
            "the counter process stopped counting after the migration");
        Assert.Equal(before, await target.ChecksumAsync(spec.Id, "before"));
        var after = await target.WriteDataAsync(spec.Id, "after", 4);
        Assert.Equal(after, await target.ChecksumAsync(spec.Id, "after"));

        // The image is still the template's child, and holds what the guest wrote (rbd du as the target sees it).
        var children = await Cluster.RbdAsync("children", "--format", "json", $"{CephCluster.Pool}/{template}@{RbdSettings.TemplateSnapshot}");
        Assert.Contains(image, children, StringComparison.Ordinal);
        var used = await target.Node.Vms.Disks.UsedBytesAsync(VmPaths.For(target.Options, spec.Id), ct);
        output.WriteLine($"clone usage after the move: {used >> 20} MiB (rbd du)");
        Assert.True(used >= 24L << 20, $"rbd du says {used} bytes");

        // The target owns it now: deleting the machine removes the clone, once.
        await target.Node.Vms.DeleteAsync(spec.Id, ct);
        await target.Node.Vms.DeleteAsync(spec.Id, ct);
        Assert.Equal([template], await Cluster.ImagesAsync());
        await target.AssertNothingLeftAsync();
    }

    /// <summary>Through the nodes' tunnel (what the plan picks on a slow link, ADR 0013): only its RAM channel opens, the
    /// guest arrives, the bytes on the link are the RAM's (compressed).</summary>
    [Fact]
    public async Task SharedPool_ThroughTheTunnel_CarriesRamOnly()
    {
        var ct = CancellationToken.None;
        await using var source = await QemuTestHost.StartAsync(output, configure: Rbd(Cluster));
        await using var target = await QemuTestHost.StartAsync(output, configure: Rbd(Cluster));
        await source.Node.PrepareAsync(ct);
        await target.Node.PrepareAsync(ct);
        using var certificates = new Migration.TestNodeCertificates();
        certificates.WriteNode(source.Node.Migrations.TlsDirectory, Loopback);
        certificates.WriteNode(target.Node.Migrations.TlsDirectory, Loopback);
        var spec = source.NewVm("tunnelled");
        await source.StartAndWaitForAgentAsync(spec);
        var data = await source.WriteDataAsync(spec.Id, "data", 8);
        var parameters = MigrationPolicy.Plan(
            new LinkMeasurement(DataRate.FromMegabitsPerSecond(50), TimeSpan.FromMilliseconds(1)),
            new VmMigrationProfile { MemoryBytes = spec.MemoryBytes, SharedDisk = true, TargetHasBase = true },
            new MigrationLimits(),
            MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel);
        Assert.Equal(MigrationTransport.Tunnel, parameters.Transport);

        var (completed, elapsed) = await MoveAsync(source, target, spec, DiskTransfer.Shared, written: null, parameters, tls: true);
        output.WriteLine($"tunnel: {elapsed.TotalSeconds:0.0} s, disk {completed.DiskBytesDone} B, RAM {completed.RamBytesTotalTransferred} B, link {completed.TunnelBytes} B");
        Assert.Equal(0, completed.DiskBytesDone);
        Assert.True(completed.TunnelBytes > 0 && completed.TunnelBytes < spec.MemoryBytes + (16L << 20), $"{completed.TunnelBytes} B on the link");

        await source.Node.Vms.DeleteAsync(spec.Id, ct);
        await Bounded.WaitUntilAsync(
            () => target.Node.Vms.GuestPingAsync(spec.Id, TimeSpan.FromSeconds(2), ct), TimeSpan.FromSeconds(30), "the guest agent on the target",
            TimeSpan.FromMilliseconds(200));
        Assert.Equal(data, await target.ChecksumAsync(spec.Id, "data"));
        await target.Node.Vms.DeleteAsync(spec.Id, ct);
        Assert.DoesNotContain(RbdSettings.VmImage(spec.Id), await Cluster.ImagesAsync());
        await source.AssertNothingLeftAsync();
        await target.AssertNothingLeftAsync();
    }

    /// <summary>The Server's take-back when the target cannot resume (RAM moved, the source paused, the target never ran the
    /// guest): the target's removal leaves the image the source still holds, the source's cancel resumes the guest on it
    /// and owns it again, so its delete later removes it.</summary>
    [Fact]
    public async Task SharedMove_TakenBackBeforeTheTargetResumed_SourceRunsOnAndOwnsTheImage()
    {
        var ct = CancellationToken.None;
        await using var source = await QemuTestHost.StartAsync(output, configure: Rbd(Cluster));
        await using var target = await QemuTestHost.StartAsync(output, configure: Rbd(Cluster));
        await source.Node.PrepareAsync(ct);
        await target.Node.PrepareAsync(ct);
        var spec = source.NewVm("back");
        await source.StartAndWaitForAgentAsync(spec);
        var data = await source.WriteDataAsync(spec.Id, "data", 4);
        var parameters = Plan(spec);
        var migrationId = ShortId.New();
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, DiskTransfer.Shared, 0, parameters, Tls: false), ct);
        await source.Node.Migrations.StartDiskMirrorAsync(new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Shared, parameters, Tls: false), ct);
        await source.Node.Migrations.StartDiskMirrorAsync(new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Shared, parameters, Tls: false), ct);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
        await source.Node.Migrations.StartRamMigrationAsync(spec.Id, ct);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.Completed);
        await source.Node.Migrations.CompleteOutgoingAsync(spec.Id, ct);

        // The target is removed (its QEMU held the image, paused, never ran the guest): the image stays for the source.
        await target.Node.Vms.DeleteAsync(spec.Id, ct);
        await target.Node.Migrations.AbortIncomingAsync(spec.Id, ct);
        Assert.Contains(RbdSettings.VmImage(spec.Id), await Cluster.ImagesAsync());
        await target.AssertNothingLeftAsync();

        await source.Node.Migrations.CancelOutgoingAsync(spec.Id, ct);
        Assert.Equal(VmPowerState.Running, (await source.ObserveAsync(spec.Id))!.State);
        await Bounded.WaitUntilAsync(
            () => source.Node.Vms.GuestPingAsync(spec.Id, TimeSpan.FromSeconds(2), ct), TimeSpan.FromSeconds(30), "the guest agent on the source",
            TimeSpan.FromMilliseconds(200));
        Assert.Equal(data, await source.ChecksumAsync(spec.Id, "data"));
        Assert.Equal("writable", await ExecTextAsync(source, spec.Id, "echo writable > /root/probe && sync && cat /root/probe"));

        await source.Node.Vms.DeleteAsync(spec.Id, ct);
        Assert.DoesNotContain(RbdSettings.VmImage(spec.Id), await Cluster.ImagesAsync());
        await source.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task RbdToFileNode_IsRefusedBeforeAnythingMoves_VmKeepsRunningOnTheSource()
    {
        var ct = CancellationToken.None;
        await using var source = await QemuTestHost.StartAsync(output, configure: Rbd(Cluster));
        await using var target = await QemuTestHost.StartAsync(output);
        await source.Node.PrepareAsync(ct);
        await target.Node.PrepareAsync(ct);
        Assert.Null(target.Node.Storage);
        Assert.False(NodeStorage.SharesDisks(source.Node.Storage, target.Node.Storage));
        var spec = source.NewVm("stays");
        await source.StartAndWaitForAgentAsync(spec);
        var data = await source.WriteDataAsync(spec.Id, "data", 4);
        var parameters = Plan(spec);

        // A file node cannot open the source's image; an RBD node neither mirrors out nor takes a mirror in.
        var shared = await Assert.ThrowsAsync<DriverException>(() => target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(ShortId.New(), spec, Loopback, DiskTransfer.Shared, 0, parameters, Tls: false), ct));
        Assert.Contains("one Ceph pool", shared.Message, StringComparison.Ordinal);
        var overlay = ShortId.New();
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(overlay, spec, Loopback, DiskTransfer.Overlay, 256L << 20, parameters, Tls: false), ct);
        var mirror = await Assert.ThrowsAsync<DriverException>(() => source.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(overlay, spec.Id, incoming, DiskTransfer.Overlay, parameters, Tls: false), ct));
        Assert.Contains("Ceph RBD", mirror.Message, StringComparison.Ordinal);
        await target.Node.Migrations.AbortIncomingAsync(spec.Id, ct);
        var into = await Assert.ThrowsAsync<DriverException>(() => source.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(ShortId.New(), target.NewVm("in"), Loopback, DiskTransfer.Overlay, 0, parameters, Tls: false), ct));
        Assert.Contains("Ceph RBD", into.Message, StringComparison.Ordinal);

        Assert.Equal(OutgoingMigrationState.None, (await source.Node.Migrations.GetOutgoingStatusAsync(spec.Id, ct)).State);
        Assert.Equal(VmPowerState.Running, (await source.ObserveAsync(spec.Id))!.State);
        Assert.Equal(data, await source.ChecksumAsync(spec.Id, "data"));
        await target.AssertNothingLeftAsync();
        await source.Node.Vms.DeleteAsync(spec.Id, ct);
        Assert.DoesNotContain(RbdSettings.VmImage(spec.Id), await Cluster.ImagesAsync());
        await source.AssertNothingLeftAsync();
    }

    /// <summary>The figure of docs/benchmarks.md (issue 16): the same tiny guest (same RAM, 16 MiB written) moved between two
    /// file nodes with its qcow2 overlay mirrored, and between two RBD nodes sharing the pool; one run each.</summary>
    [Fact]
    public async Task Measure_Qcow2MirrorVsRbdSharedPool()
    {
        var ct = CancellationToken.None;
        foreach (var rbd in new[] { false, true })
        {
            await using var source = await QemuTestHost.StartAsync(output, configure: rbd ? Rbd(Cluster) : null);
            await using var target = await QemuTestHost.StartAsync(output, configure: rbd ? Rbd(Cluster) : null);
            await source.Node.PrepareAsync(ct);
            await target.Node.PrepareAsync(ct);
            var spec = source.NewVm("measure");
            await source.StartAndWaitForAgentAsync(spec);
            await source.WriteDataAsync(spec.Id, "data", 16);
            var (completed, elapsed) = await MoveAsync(source, target, spec, rbd ? DiskTransfer.Shared : DiskTransfer.Overlay, written: null);
            output.WriteLine(
                $"MEASURE {(rbd ? "rbd shared pool" : "qcow2 overlay mirror")}: RAM {spec.MemoryBytes >> 20} MiB, {elapsed.TotalSeconds:0.00} s from prepare to "
                + $"completed, disk {completed.DiskBytesDone} B + RAM {completed.RamBytesTotalTransferred} B = "
                + $"{(completed.DiskBytesDone + completed.RamBytesTotalTransferred) / (1024.0 * 1024):0.0} MiB, downtime {completed.Downtime?.TotalMilliseconds} ms");
            Assert.Equal(rbd, completed.DiskBytesDone == 0);
            await source.Node.Vms.DeleteAsync(spec.Id, ct);
            await target.Node.Vms.DeleteAsync(spec.Id, ct);
            await source.AssertNothingLeftAsync();
            await target.AssertNothingLeftAsync();
        }

        Assert.All(await Cluster.ImagesAsync(), image => Assert.StartsWith("tpl-", image, StringComparison.Ordinal));
    }

    /// <summary>Prepare, mirror (nothing when shared), RAM, complete on both ends; the completed status and the time from
    /// prepare to completed.</summary>
    private async Task<(OutgoingMigrationStatus Completed, TimeSpan Elapsed)> MoveAsync(
        QemuTestHost source, QemuTestHost target, VmSpec spec, DiskTransfer disk, Func<Task<string>>? written,
        MigrationParameters? plan = null, bool tls = false)
    {
        var ct = CancellationToken.None;
        var parameters = plan ?? Plan(spec);
        var migrationId = ShortId.New();
        var stopwatch = Stopwatch.StartNew();
        var incoming = await target.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, Loopback, disk, 256L << 20, parameters, tls), ct);
        Assert.Equal(disk == DiskTransfer.Shared || parameters.Transport == MigrationTransport.Tunnel, incoming.NbdPort == 0);
        await source.Node.Migrations.StartDiskMirrorAsync(new OutgoingMigrationRequest(migrationId, spec.Id, incoming, disk, parameters, tls), ct);
        await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.DiskReady);
        if (written is not null)
        {
            await written();
        }

        await source.Node.Migrations.StartRamMigrationAsync(spec.Id, ct);
        var completed = await WaitForStateAsync(source, spec.Id, OutgoingMigrationState.Completed);
        var elapsed = stopwatch.Elapsed;
        await source.Node.Migrations.CompleteOutgoingAsync(spec.Id, ct);
        await target.Node.Migrations.CompleteIncomingAsync(spec.Id, ct);
        return (completed, elapsed);
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

    /// <summary>A 1 Gbit/s link's plan (QEMU's own transport: this node pair offers no tunnel here).</summary>
    private static MigrationParameters Plan(VmSpec spec) => MigrationPolicy.Plan(
        new LinkMeasurement(DataRate.FromGigabitsPerSecond(1), TimeSpan.FromMilliseconds(1)),
        new VmMigrationProfile { MemoryBytes = spec.MemoryBytes, TargetHasBase = true },
        new MigrationLimits(),
        MigrationFeatures.Qemu72);

    private static async Task<string> ExecTextAsync(QemuTestHost host, string vmId, string script)
    {
        var result = await host.ExecAsync(vmId, "sh", "-c", script);
        Assert.True(result.ExitCode == 0, $"'{script}' exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout.Trim();
    }

    private static string[] Sorted(params string[] names) => [.. names.Order(StringComparer.Ordinal)];

    private static Action<QemuDriverOptions> Rbd(CephCluster cluster) =>
        options => new RbdDiskSettings(CephCluster.Pool, cluster.ConfPath, CephCluster.User, cluster.UserKeyring).ApplyTo(options);
}
