using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Disks;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Templates;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests;

/// <summary>The VM driver's bookkeeping with fake tools and a fake /proc (no QEMU).</summary>
public sealed class QemuVmDriverTests : IAsyncLifetime
{
    private readonly TempDirectory _root = new("svl-drv");
    private readonly QemuDriverOptions _options;
    private readonly FakeCommandRunner _runner;
    private readonly List<string> _links = [];
    private QemuVmDriver _driver = null!;

    public QemuVmDriverTests()
    {
        _options = TestOptions.In(_root.Path, "inst1");
        _runner = new FakeCommandRunner((_, args) => args switch
        {
            ["-j", "-d", "link", "show"] => new CommandResult(0, "[" + string.Join(',', _links) + "]", ""),
            ["-j", "-d", "link", "show", "dev", var name] when _links.FirstOrDefault(l => l.Contains($"\"{name}\"", StringComparison.Ordinal)) is { } link =>
                new CommandResult(0, "[" + link + "]", ""),
            ["-j", "-d", "link", "show", "dev", _] => new CommandResult(1, "", "Device does not exist."),
            _ => null,
        });
    }

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root.Sub("proc"));
        var supervisor = new QemuProcessSupervisor(
            _options, _runner, TimeProvider.System, NullLogger<QemuProcessSupervisor>.Instance, new ProcFs(_root.Sub("proc")));
        var images = new QcowImageTool(_options, _runner, NullLogger<QcowImageTool>.Instance);
        var ip = new IpCommand(_options, _runner);
        _driver = new QemuVmDriver(
            _options,
            supervisor,
            new FileTemplateStore(
                _options, new TemplateDiskInspector(_options, _runner, NullLogger<TemplateDiskInspector>.Instance), NullLogger<FileTemplateStore>.Instance),
            images,
            new TapDevices(_options, ip, new InterfaceSysctls(_root.Sub("sys")), NullLogger<TapDevices>.Instance),
            new AcceleratorProbe(_options, _runner, supervisor, images, TimeProvider.System, NullLogger<AcceleratorProbe>.Instance),
            TimeProvider.System,
            NullLogger<QemuVmDriver>.Instance);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SweepOrphanTaps_RemovesOnlyOurTapsNoVmKnows()
    {
        var spec = new VmSpec("0123456789ab", "web", new string('a', 64), 1, 128L << 20,
            [new NicSpec("000000000001", "aaaaaaaaaaaa", "52:54:00:00:00:01", 1450, null)], "h");
        var paths = VmPaths.For(_options, spec.Id);
        Directory.CreateDirectory(paths.DataDirectory);
        QemuProcessSupervisor.WriteJsonAtomically(paths.SpecFile, spec);
        _links.Add(Tap("svt000000000001", "skillvl:inst1"));
        _links.Add(Tap("svt000000000002", "skillvl:inst1"));
        _links.Add(Tap("svt000000000003", "skillvl:other"));

        var removed = await _driver.SweepOrphanTapsAsync(CancellationToken.None);

        Assert.Equal(["000000000002"], removed);
        Assert.Contains("ip link del dev svt000000000002", _runner.Calls);
        Assert.DoesNotContain(_runner.Calls, c => c.Contains("del dev svt000000000001", StringComparison.Ordinal));
        Assert.DoesNotContain(_runner.Calls, c => c.Contains("del dev svt000000000003", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_VmWithDiskOnly_IsStopped()
    {
        Directory.CreateDirectory(Path.Combine(_options.DataDirectory, "vms", "0123456789ab"));

        var observations = await _driver.ListAsync(CancellationToken.None);

        Assert.Equal([new VmObservation("0123456789ab", VmPowerState.Stopped, null, null, null, null)], observations);
    }

    [Fact]
    public async Task Start_TemplateNotInStore_ThrowsNonTransient()
    {
        var spec = new VmSpec("0123456789ab", "web", new string('a', 64), 1, 128L << 20, [], "h");

        var error = await Assert.ThrowsAsync<DriverException>(() => _driver.StartAsync(spec, CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.Contains("import", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_StoppedVm_ThrowsInvalidVmState()
    {
        var error = await Assert.ThrowsAsync<InvalidVmStateException>(
            () => _driver.GuestExecAsync("0123456789ab", ["true"], TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal(VmPowerState.Stopped, error.State);
    }

    [Fact]
    public async Task Reset_StoppedVm_ThrowsInvalidVmState() =>
        await Assert.ThrowsAsync<InvalidVmStateException>(() => _driver.ResetAsync("0123456789ab", CancellationToken.None));

    [Fact]
    public async Task Operations_BadId_ThrowArgumentException() =>
        await Assert.ThrowsAsync<ArgumentException>(() => _driver.DeleteAsync("../etc", CancellationToken.None));

    [Fact]
    public void Capabilities_IncludeLiveMigration() =>
        Assert.Equal(new DriverCapabilities(true, true, true, true, true), _driver.Capabilities);

    public async Task DisposeAsync()
    {
        await _driver.DisposeAsync();
        _root.Dispose();
    }

    private static string Tap(string name, string alias) =>
        $$$"""{"ifname":"{{{name}}}","flags":["UP"],"mtu":1450,"ifalias":"{{{alias}}}","linkinfo":{"info_kind":"tun"}}""";
}
