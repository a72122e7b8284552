using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Drivers.Qemu.Hypervisor;
using SkillVL.Drivers.Qemu.Processes;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests;

/// <summary>
/// Issue 12, Deliver 6 against Debian's QEMU: the bare alias <c>pc</c> is resolved to its versioned machine type once,
/// VMs start with it and with a named CPU model, and the guest runs (its agent answers).
/// </summary>
public sealed class HypervisorProbeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Probe_ResolvesPcToItsVersion_VmRunsVersionedMachineWithNamedCpu()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var runner = new ProcessCommandRunner(TimeProvider.System, NullLogger<ProcessCommandRunner>.Instance);

        var info = await QemuHypervisorProbe.ProbeAsync(host.Options, runner, CancellationToken.None);

        output.WriteLine($"QEMU {info.Version}: pc → {info.MachineType}; family {string.Join(' ', info.MachineTypes)}");
        Assert.Matches(@"^\d+\.\d+\.\d+$", info.Version);
        Assert.Matches(@"^pc-i440fx-\d+\.\d+$", info.MachineType);
        Assert.Equal(info.MachineType, host.Options.MachineTypeInUse);
        Assert.Contains(info.MachineType, info.MachineTypes);
        Assert.DoesNotContain("pc", info.MachineTypes);

        host.Options.CpuModel = "qemu64-v1";
        var network = await host.NewNetworkAsync();
        var spec = host.NewVm("abi", network);
        await host.StartAndWaitForAgentAsync(spec);

        var pid = int.Parse(await File.ReadAllTextAsync(VmPaths.For(host.Options, spec.Id).PidFile), System.Globalization.CultureInfo.InvariantCulture);
        var argv = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0');
        Assert.Equal(info.MachineType, argv[Array.IndexOf(argv, "-machine") + 1]);
        Assert.Equal("qemu64-v1", argv[Array.IndexOf(argv, "-cpu") + 1]);
        Assert.Equal(0, (await host.ExecAsync(spec.Id, "true")).ExitCode);
    }

    [Fact]
    public async Task Probe_UnknownMachineType_FailsNamingIt()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        host.Options.MachineType = "pc-i440fx-1.0-nonexistent";
        var runner = new ProcessCommandRunner(TimeProvider.System, NullLogger<ProcessCommandRunner>.Instance);

        var error = await Assert.ThrowsAsync<Core.Errors.DriverException>(() => QemuHypervisorProbe.ProbeAsync(host.Options, runner, CancellationToken.None));

        Assert.Contains("no machine type 'pc-i440fx-1.0-nonexistent' (MachineType)", error.Message, StringComparison.Ordinal);
        Assert.Null(host.Options.MachineTypeInUse);
    }
}
