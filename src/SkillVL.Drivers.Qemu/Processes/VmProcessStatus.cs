using SkillVL.Core.Compute;

namespace SkillVL.Drivers.Qemu.Processes;

/// <summary>What the supervisor sees of one VM's QEMU process.</summary>
/// <param name="State">Power state.</param>
/// <param name="Pid">The live QEMU pid (never leaves the driver), or null.</param>
/// <param name="Metadata">vm.json of the live process, or null.</param>
/// <param name="RssBytes">Resident memory of the live process, or null.</param>
/// <param name="QemuStatus">QMP query-status as QEMU names it ("running", "shutdown", ...), or null.</param>
/// <param name="CpuSeconds">CPU time the live process used so far (user and system), or null.</param>
public sealed record VmProcessStatus(
    VmPowerState State,
    int? Pid,
    VmRuntimeMetadata? Metadata,
    long? RssBytes,
    string? QemuStatus,
    double? CpuSeconds = null);
