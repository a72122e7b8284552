using System.Diagnostics;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Disks.Rbd;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Ceph;

/// <summary>
/// VM disks in a real Ceph RBD pool (issue 16, ADR 0055), on a private cluster of Debian's Ceph: a tiny guest boots from
/// its RBD clone and answers its agent; two machines of one template import it once; deleting one removes its clone and
/// nothing else; the clone's usage is what <c>rbd du</c> says; the key reaches QEMU only through a file of its group;
/// what RBD cannot do yet is refused; a dead monitor and a missing pool fail at the node's start and at create, in time.
/// </summary>
public sealed class RbdDiskTests(CephClusterFixture ceph, ITestOutputHelper output) : IClassFixture<CephClusterFixture>
{
    private CephCluster Cluster => ceph.Cluster;

    [Fact]
    public async Task GuestBootsFromClone_TemplateImportedOnce_DeleteRemovesOnlyItsClone()
    {
        output.WriteLine($"Ceph test cluster up in {Cluster.StartTime.TotalSeconds:0.0} s");
        await using var host = await QemuTestHost.StartAsync(output, configure: Rbd(Cluster));
        var ct = CancellationToken.None;
        await host.Node.PrepareAsync(ct);
        var (a, b) = (host.NewVm("rbd-a"), host.NewVm("rbd-b"));

        // Two first uses of the template at once: one import, two clones of its snapshot.
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(host.Node.Vms.EnsureDiskAsync(a, ct), host.Node.Vms.EnsureDiskAsync(b, ct));
        output.WriteLine($"template import + 2 clones: {stopwatch.Elapsed.TotalSeconds:0.00} s");
        var template = RbdSettings.TemplateImage(host.Template.Sha256);
        Assert.Equal(
            new[] { template, RbdSettings.VmImage(a.Id), RbdSettings.VmImage(b.Id) }.Order(StringComparer.Ordinal),
            (await Cluster.ImagesAsync()).Order(StringComparer.Ordinal));
        var children = await Cluster.RbdAsync("children", "--format", "json", $"{CephCluster.Pool}/{template}@{RbdSettings.TemplateSnapshot}");
        Assert.Contains(RbdSettings.VmImage(a.Id), children, StringComparison.Ordinal);
        Assert.Contains(RbdSettings.VmImage(b.Id), children, StringComparison.Ordinal);

        // The guest boots from its clone; what it writes is in its clone (rbd du), not in the template.
        await host.StartAndWaitForAgentAsync(a);
        Assert.Equal(0L, await host.Node.Vms.Disks.UsedBytesAsync(VmPaths.For(host.Options, b.Id), ct));
        await host.WriteDataAsync(a.Id, "data", 8);
        var used = await host.Node.Vms.Disks.UsedBytesAsync(VmPaths.For(host.Options, a.Id), ct);
        output.WriteLine($"clone usage after 8 MiB written: {used >> 20} MiB (rbd du)");
        Assert.True(used >= 8L << 20, $"rbd du says {used} bytes");
        // The migration planner's measure reports the same usage (it read the qcow2 overlay's size before).
        Assert.True((await host.Node.Migrations.MeasureAsync(a.Id, TimeSpan.FromSeconds(1), ct)).OverlayBytes >= 8L << 20);

        // The key: in a file of root and QEMU's group only, never on QEMU's command line (world-readable in /proc).
        var paths = VmPaths.For(host.Options, a.Id);
        var key = CephKeyring.FindKey(await File.ReadAllTextAsync(Cluster.UserKeyring, ct), "client." + CephCluster.User)!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(paths.CephSecret));
        Assert.Equal(key, await File.ReadAllTextAsync(paths.CephSecret, ct));
        var cmdline = await File.ReadAllTextAsync($"/proc/{host.QemuPid(a.Id)}/cmdline", ct);
        Assert.Contains("driver=rbd", cmdline, StringComparison.Ordinal);
        Assert.DoesNotContain(key, cmdline, StringComparison.Ordinal);

        // What an RBD disk cannot do yet says so and changes nothing.
        var snapshot = await Assert.ThrowsAsync<DriverException>(() => host.Node.Snapshots.CreateAsync(a.Id, "s", withRam: false, ct));
        Assert.Contains("Ceph RBD", snapshot.Message, StringComparison.Ordinal);
        var checkout = await Assert.ThrowsAsync<DriverException>(() => host.Node.Checkouts.RetainAsync(a.Id, ct));
        Assert.Contains("Ceph RBD", checkout.Message, StringComparison.Ordinal);

        await host.Node.Vms.DeleteAsync(a.Id, ct);
        Assert.Equal(
            new[] { template, RbdSettings.VmImage(b.Id) }.Order(StringComparer.Ordinal),
            (await Cluster.ImagesAsync()).Order(StringComparer.Ordinal));
        await host.Node.Vms.DeleteAsync(b.Id, ct);
        await host.Node.Vms.DeleteAsync(b.Id, ct);
        Assert.Equal([template], await Cluster.ImagesAsync());
        await host.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task DeadMonitor_FailsStartAndCreateWithinTheTimeout()
    {
        var dead = Cluster.WriteDeadMonitorConf();
        await using var host = await QemuTestHost.StartAsync(output, configure: options =>
        {
            Rbd(Cluster)(options);
            options.CephConf = dead;
            options.CephConnectTimeout = TimeSpan.FromSeconds(3);
        });
        var stopwatch = Stopwatch.StartNew();
        var atStart = await Assert.ThrowsAsync<DriverException>(() => host.Node.PrepareAsync(CancellationToken.None));
        output.WriteLine($"dead monitor at start: {stopwatch.Elapsed.TotalSeconds:0.0} s: {atStart.Message}");
        Assert.Contains("did not answer within 3 s", atStart.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");

        stopwatch.Restart();
        var vm = host.NewVm("dead");
        var atCreate = await Assert.ThrowsAsync<DriverException>(() => host.Node.Vms.StartAsync(vm, CancellationToken.None));
        Assert.Contains("did not answer", atCreate.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
        Assert.Null(host.QemuPid(vm.Id));
        Assert.DoesNotContain(RbdSettings.VmImage(vm.Id), await Cluster.ImagesAsync());
    }

    [Fact]
    public async Task MissingPool_FailsStartAndCreateNamingIt()
    {
        await using var host = await QemuTestHost.StartAsync(output, configure: options =>
        {
            Rbd(Cluster)(options);
            options.RbdPool = "no-such-pool";
        });
        var atStart = await Assert.ThrowsAsync<DriverException>(() => host.Node.PrepareAsync(CancellationToken.None));
        output.WriteLine(atStart.Message);
        Assert.Contains("pool 'no-such-pool' does not exist", atStart.Message, StringComparison.Ordinal);
        var vm = host.NewVm("nopool");
        var atCreate = await Assert.ThrowsAsync<DriverException>(() => host.Node.Vms.EnsureDiskAsync(vm, CancellationToken.None));
        Assert.Contains("pool 'no-such-pool' does not exist", atCreate.Message, StringComparison.Ordinal);
        Assert.Null(host.QemuPid(vm.Id));
    }

    /// <summary>The figure of docs/benchmarks.md (issue 16): ten machines' disks made one after another from one template, as
    /// RBD clones and as qcow2 linked clones, and one first boot from each to the guest agent.</summary>
    [Fact]
    public async Task Measure_TenDisks_RbdClonesVsQcow2LinkedClones()
    {
        var ct = CancellationToken.None;
        foreach (var store in new[] { QemuDriverOptions.FileDisks, QemuDriverOptions.RbdDisks })
        {
            await using var host = await QemuTestHost.StartAsync(output, configure: store == QemuDriverOptions.RbdDisks ? Rbd(Cluster) : null);
            await host.Node.PrepareAsync(ct);
            var vms = Enumerable.Range(0, 11).Select(i => host.NewVm($"m{i}")).ToList();

            // The first disk of a template: for RBD its import into the pool (once per pool, whatever the node).
            var stopwatch = Stopwatch.StartNew();
            await host.Node.Vms.EnsureDiskAsync(vms[0], ct);
            var first = stopwatch.Elapsed;
            var each = new List<double>();
            foreach (var vm in vms.Skip(1))
            {
                stopwatch.Restart();
                await host.Node.Vms.EnsureDiskAsync(vm, ct);
                each.Add(stopwatch.Elapsed.TotalMilliseconds);
            }

            var total = each.Sum();
            each.Sort();
            var boot = await host.StartAndWaitForAgentAsync(vms[1]);
            output.WriteLine(
                $"MEASURE {store}: first disk (template import for rbd) {first.TotalMilliseconds:0} ms; 10 more disks {total:0} ms "
                + $"(median {each[4]:0} ms, max {each[^1]:0} ms); first boot to guest agent {boot.TotalSeconds:0.0} s");
            foreach (var vm in vms)
            {
                await host.Node.Vms.DeleteAsync(vm.Id, ct);
            }

            await host.AssertNothingLeftAsync();
        }

        // Every clone went with its machine; the template stays for the next.
        Assert.All(await Cluster.ImagesAsync(), image => Assert.StartsWith("tpl-", image, StringComparison.Ordinal));
    }

    private static Action<QemuDriverOptions> Rbd(CephCluster cluster) =>
        options => new RbdDiskSettings(CephCluster.Pool, cluster.ConfPath, CephCluster.User, cluster.UserKeyring).ApplyTo(options);
}
