using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Checkout;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Checkout;
using SkillVL.Drivers.Qemu.Disks;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Templates;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.Checkout;

/// <summary>The start guard of the VM driver (ADR 0025) and the discard of a fenced copy: every start of a checked-out VM's copy asks its lease and the
/// fenced records first. No QEMU: a start that passes the guard fails next on the missing template, which says so.</summary>
public sealed class StartGuardTests : IDisposable
{
    private const string VmId = "0123456789ab";
    private readonly TempDirectory _root = new("svl-lease");
    private readonly QemuDriverOptions _options;
    private readonly QemuVmDriver _driver;
    private readonly VmPaths _paths;
    private readonly CheckoutLeases _leases;

    public StartGuardTests()
    {
        _options = TestOptions.In(_root.Path, "inst1");
        var runner = new FakeCommandRunner((_, _) => null);
        Directory.CreateDirectory(_root.Sub("proc"));
        var supervisor = new QemuProcessSupervisor(_options, runner, TimeProvider.System, NullLogger<QemuProcessSupervisor>.Instance, new ProcFs(_root.Sub("proc")));
        var images = new QcowImageTool(_options, runner, NullLogger<QcowImageTool>.Instance);
        _driver = new QemuVmDriver(
            _options,
            supervisor,
            new FileTemplateStore(_options, new TemplateDiskInspector(_options, runner, NullLogger<TemplateDiskInspector>.Instance), NullLogger<FileTemplateStore>.Instance),
            images,
            new TapDevices(_options, new IpCommand(_options, runner), new InterfaceSysctls(_root.Sub("sys")), NullLogger<TapDevices>.Instance),
            new AcceleratorProbe(_options, runner, supervisor, images, TimeProvider.System, NullLogger<AcceleratorProbe>.Instance),
            TimeProvider.System,
            NullLogger<QemuVmDriver>.Instance);
        _paths = VmPaths.For(_options, VmId);
        Directory.CreateDirectory(_paths.DataDirectory);
        var retained = new RetainedCopies(_options, supervisor, new SkillVL.Drivers.Qemu.Migration.Tunnel.MigrationTunnels(NullLogger<SkillVL.Drivers.Qemu.Migration.Tunnel.MigrationTunnels>.Instance), NullLogger<RetainedCopies>.Instance);
        _leases = new CheckoutLeases(_options, _driver, supervisor, retained, TimeProvider.System, NullLogger<CheckoutLeases>.Instance);
    }

    [Fact]
    public async Task DiscardFenced_DeletesTheSetAsideDiskAndRecord_OfThatEpochOnly()
    {
        var two = WriteFencedRecord(epoch: 2);
        var three = WriteFencedRecord(epoch: 3);

        Assert.True(await _leases.DiscardFencedAsync(VmId, 2, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.False(File.Exists(two) || File.Exists(Path.ChangeExtension(two, ".json")), "epoch 2's copy is still there");
        Assert.True(File.Exists(three) && File.Exists(Path.ChangeExtension(three, ".json")), "epoch 3's copy went too");
        Assert.Equal([3], LeaseFiles.FencedCopies(_options, VmId).Select(c => c.Epoch));
        Assert.False(await _leases.DiscardFencedAsync(VmId, 2, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task DiscardFenced_OfARecordNamingAFileOutsideTheFencedDirectory_DeletesNothing()
    {
        var outside = _root.Sub("precious.qcow2");
        await File.WriteAllTextAsync(outside, "x");
        var directory = LeaseFiles.FencedDirectory(_options);
        Directory.CreateDirectory(directory);
        QemuProcessSupervisor.WriteJsonAtomically(Path.Combine(directory, $"{VmId}-e2-20261206T120000Z.json"), new FencedCopy(VmId, 2, outside, 1, null, DateTimeOffset.UtcNow));

        var e = await Assert.ThrowsAsync<DriverException>(() => _leases.DiscardFencedAsync(VmId, 2, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("outside", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public async Task Start_WithAnExpiredLease_IsRefused_SayingSo()
    {
        LeaseFiles.Write(_paths, new CheckoutLease(VmId, 2, DateTimeOffset.UtcNow.AddSeconds(-1)));

        var e = await Assert.ThrowsAsync<DriverException>(() => StartAsync());

        Assert.Contains("lease expired", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task Start_OfAFencedCopy_IsRefused_SayingSo()
    {
        LeaseFiles.Write(_paths, new CheckoutLease(VmId, 2, DateTimeOffset.UtcNow.AddDays(1), Fenced: true));

        var e = await Assert.ThrowsAsync<DriverException>(() => StartAsync());

        Assert.Contains("fenced", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AfterTheCopyWasSetAside_IsRefused_UntilANewerCheckoutArrives()
    {
        // Fenced: the disk went to <data>/fenced, the VM's directory with it; a start must not boot a fresh disk instead.
        WriteFencedRecord(epoch: 2);

        var refused = await Assert.ThrowsAsync<DriverException>(() => StartAsync());
        Assert.Contains("fenced", refused.Message, StringComparison.Ordinal);

        // A later check-out of the machine to this client (epoch 4) is the live copy again.
        LeaseFiles.Write(_paths, new CheckoutLease(VmId, 4, DateTimeOffset.UtcNow.AddDays(1)));
        var passed = await Assert.ThrowsAsync<DriverException>(() => StartAsync());
        Assert.Contains("template", passed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)] // a valid lease
    [InlineData(false)] // not checked out here: no lease at all
    public async Task Start_WithAValidLeaseOrNone_PassesTheGuard(bool withLease)
    {
        if (withLease)
        {
            LeaseFiles.Write(_paths, new CheckoutLease(VmId, 2, DateTimeOffset.UtcNow.AddMinutes(5)));
        }

        var e = await Assert.ThrowsAsync<DriverException>(() => StartAsync());

        Assert.Contains("template", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _leases.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _root.Dispose();
    }

    private Task StartAsync() =>
        _driver.StartAsync(new VmSpec(VmId, "web", new string('a', 64), 1, 128L << 20, [], "h"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>A set-aside copy as fencing leaves it: its record and its disk in the fenced directory. Returns the disk.</summary>
    private string WriteFencedRecord(int epoch)
    {
        var directory = LeaseFiles.FencedDirectory(_options);
        Directory.CreateDirectory(directory);
        var disk = Path.Combine(directory, $"{VmId}-e{epoch}-20261206T120000Z.qcow2");
        File.WriteAllText(disk, "disk");
        QemuProcessSupervisor.WriteJsonAtomically(Path.ChangeExtension(disk, ".json"), new FencedCopy(VmId, epoch, disk, 1 << 20, 4096, DateTimeOffset.UtcNow));
        return disk;
    }
}
