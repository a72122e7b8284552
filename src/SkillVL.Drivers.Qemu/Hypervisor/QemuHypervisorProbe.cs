using System.Text.RegularExpressions;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Hypervisor;

/// <summary>
/// Asks the QEMU binary what it is, once at start (issue 12, Deliver 6): its version, and what the configured machine
/// type (<see cref="QemuDriverOptions.MachineType"/>, <c>pc</c> by default) is an alias of. VMs are then started with
/// the versioned machine type, so a guest that moves to another QEMU gets the same machine, and the node reports what
/// a migration's target must match.
/// </summary>
public static partial class QemuHypervisorProbe
{
    /// <summary>Runs <c>--version</c> and <c>-machine help</c>; pins the resolved machine type in
    /// <see cref="QemuDriverOptions.MachineTypeInUse"/>. A machine type QEMU does not know fails the start.</summary>
    public static async Task<QemuHypervisorInfo> ProbeAsync(QemuDriverOptions options, ICommandRunner runner, CancellationToken cancellationToken)
    {
        var version = await RunAsync(options, runner, ["--version"], cancellationToken);
        var help = await RunAsync(options, runner, ["-machine", "help"], cancellationToken);
        var resolved = QemuMachineHelp.Resolve(help, options.MachineType)
            ?? throw new DriverException(
                $"QEMU ({options.QemuBinary}) has no machine type '{options.MachineType}' (MachineType); `{options.QemuBinary} -machine help` lists them.",
                isTransient: false);
        options.MachineTypeInUse = resolved;
        return new QemuHypervisorInfo(ParseVersion(version), resolved, QemuMachineHelp.Family(help, resolved));
    }

    /// <summary><c>QEMU emulator version 7.2.22 (Debian …)</c> → <c>7.2.22</c>; the first line as it is otherwise.</summary>
    public static string ParseVersion(string versionOutput)
    {
        var first = versionOutput.Split('\n')[0].Trim();
        return VersionPattern().Match(first) is { Success: true } m ? m.Groups[1].Value : first;
    }

    /// <summary>The CPU model VMs get: the configured named model, else <c>host</c> under KVM and <c>max</c> under TCG.</summary>
    public static string CpuModel(QemuDriverOptions options, QemuAccelerator accelerator) =>
        options.CpuModel ?? (accelerator == QemuAccelerator.Kvm ? "host" : "max");

    /// <summary>The facts a node reports (<see cref="HypervisorFacts"/>).</summary>
    public static HypervisorFacts Facts(QemuHypervisorInfo info, QemuDriverOptions options, QemuAccelerator accelerator) =>
        new(info.Version, info.MachineType, CpuModel(options, accelerator), info.MachineTypes);

    private static async Task<string> RunAsync(QemuDriverOptions options, ICommandRunner runner, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(options.QemuBinary, arguments, options.ToolTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new DriverException($"{options.QemuBinary} {string.Join(' ', arguments)} failed: {result.StandardError.Trim()}", isTransient: false);
        }

        return result.StandardOutput;
    }

    [GeneratedRegex(@"version (\d+\.\d+(?:\.\d+)?)")]
    private static partial Regex VersionPattern();
}
