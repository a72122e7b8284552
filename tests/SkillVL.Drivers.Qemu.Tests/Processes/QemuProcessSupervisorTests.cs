using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Compute;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.Processes;

/// <summary>Runtime-directory parsing of the supervisor, with a fake /proc and no QEMU.</summary>
public sealed class QemuProcessSupervisorTests : IAsyncLifetime
{
    private readonly TempDirectory _root = new("svl-sup");
    private readonly QemuDriverOptions _options;
    private readonly QemuProcessSupervisor _supervisor;

    public QemuProcessSupervisorTests()
    {
        _options = TestOptions.In(_root.Path);
        Directory.CreateDirectory(_root.Sub("proc"));
        _supervisor = new QemuProcessSupervisor(
            _options, new FakeCommandRunner(), TimeProvider.System, NullLogger<QemuProcessSupervisor>.Instance, new ProcFs(_root.Sub("proc")));
    }

    [Fact]
    public void ListVmIds_UnionOfRuntimeAndDataDirectories_IgnoresStrayNames()
    {
        Directory.CreateDirectory(Path.Combine(_options.RuntimeDirectory, "vms", "0123456789ab"));
        Directory.CreateDirectory(Path.Combine(_options.DataDirectory, "vms", "0123456789ab"));
        Directory.CreateDirectory(Path.Combine(_options.DataDirectory, "vms", "bbbbbbbbbbbb"));
        Directory.CreateDirectory(Path.Combine(_options.RuntimeDirectory, "vms", "lost+found"));
        Directory.CreateDirectory(Path.Combine(_options.RuntimeDirectory, "vms", "0123456789AB"));

        Assert.Equal(["0123456789ab", "bbbbbbbbbbbb"], _supervisor.ListVmIds());
    }

    [Fact]
    public async Task Inspect_NoPidFile_Stopped()
    {
        var paths = VmPaths.For(_options, "0123456789ab");
        Directory.CreateDirectory(paths.RuntimeDirectory);

        var status = await _supervisor.InspectAsync(paths, CancellationToken.None);

        Assert.Equal(VmPowerState.Stopped, status.State);
        Assert.Null(status.Pid);
    }

    [Fact]
    public async Task Inspect_PidFileButNoProcess_Crashed()
    {
        var paths = VmPaths.For(_options, "0123456789ab");
        Directory.CreateDirectory(paths.RuntimeDirectory);
        await File.WriteAllTextAsync(paths.PidFile, "4242\n");

        var status = await _supervisor.InspectAsync(paths, CancellationToken.None);

        Assert.Equal(VmPowerState.Crashed, status.State);
        Assert.Null(status.Pid);
    }

    [Fact]
    public async Task Inspect_PidFileNamesSomeoneElsesProcess_Crashed()
    {
        var paths = VmPaths.For(_options, "0123456789ab");
        Directory.CreateDirectory(paths.RuntimeDirectory);
        await File.WriteAllTextAsync(paths.PidFile, "4242\n");
        var proc = Directory.CreateDirectory(Path.Combine(_root.Sub("proc"), "4242")).FullName;
        await File.WriteAllTextAsync(Path.Combine(proc, "cmdline"), "/usr/sbin/sshd\0-D\0");
        await File.WriteAllTextAsync(Path.Combine(proc, "stat"), "4242 (sshd) S 1");

        var status = await _supervisor.InspectAsync(paths, CancellationToken.None);

        Assert.Equal(VmPowerState.Crashed, status.State);
    }

    [Fact]
    public async Task Inspect_LiveProcessWithoutQmp_RunningWithMetadataAndRss()
    {
        var paths = VmPaths.For(_options, "0123456789ab");
        Directory.CreateDirectory(paths.RuntimeDirectory);
        await File.WriteAllTextAsync(paths.PidFile, "4242\n");
        var spec = new VmSpec("0123456789ab", "web", new string('a', 64), 1, 128L << 20, [], "hash-1");
        QemuProcessSupervisor.WriteJsonAtomically(paths.MetadataFile, new VmRuntimeMetadata(spec, "boot-1", DateTimeOffset.UnixEpoch, "tcg"));
        var proc = Directory.CreateDirectory(Path.Combine(_root.Sub("proc"), 4242.ToString(CultureInfo.InvariantCulture))).FullName;
        await File.WriteAllTextAsync(Path.Combine(proc, "cmdline"), $"qemu-system-x86_64\0-pidfile\0{paths.PidFile}\0");
        await File.WriteAllTextAsync(Path.Combine(proc, "stat"), "4242 (qemu-system-x86) S 1");
        await File.WriteAllTextAsync(Path.Combine(proc, "status"), "VmRSS:\t 1000 kB\n");

        var status = await _supervisor.InspectAsync(paths, CancellationToken.None);

        // QMP is unreachable (no socket): a live process still counts as running.
        Assert.Equal(VmPowerState.Running, status.State);
        Assert.Equal(4242, status.Pid);
        Assert.Equal("hash-1", status.Metadata!.Spec.SpecHash);
        Assert.Equal("boot-1", status.Metadata.BootId);
        Assert.Equal(1000L * 1024, status.RssBytes);
    }

    [Theory]
    [InlineData("running", VmPowerState.Running)]
    [InlineData("shutdown", VmPowerState.ShutOff)]
    [InlineData("paused", VmPowerState.Paused)]
    [InlineData("inmigrate", VmPowerState.Paused)]
    [InlineData("postmigrate", VmPowerState.Paused)]
    [InlineData("internal-error", VmPowerState.Crashed)]
    [InlineData("guest-panicked", VmPowerState.Crashed)]
    public void QemuRunStates_MapToPowerStates(string status, VmPowerState expected) =>
        Assert.Equal(expected, QemuRunStates.ToPowerState(status));

    [Fact]
    public async Task Stop_StalePidFile_RemovesItSoTheVmReadsStopped()
    {
        var paths = VmPaths.For(_options, "0123456789ab");
        Directory.CreateDirectory(paths.RuntimeDirectory);
        await File.WriteAllTextAsync(paths.PidFile, "4242\n");

        await _supervisor.StopAsync(paths, StopMode.Graceful, TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal(VmPowerState.Stopped, (await _supervisor.InspectAsync(paths, CancellationToken.None)).State);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _supervisor.DisposeAsync();
        _root.Dispose();
    }
}
