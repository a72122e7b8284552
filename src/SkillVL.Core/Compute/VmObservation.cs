namespace SkillVL.Core.Compute;

/// <summary>What the node sees of one VM it knows about.</summary>
/// <param name="Id">Platform id.</param>
/// <param name="State">Power state.</param>
/// <param name="SpecHash">The <see cref="VmSpec.SpecHash"/> it was started with, or null when not running.</param>
/// <param name="StartedAt">When the current process started.</param>
/// <param name="BootId">Changes every time the VM process is (re)started, so the control plane knows to configure the guest again.</param>
/// <param name="RssBytes">Resident memory of the VM process, or null.</param>
/// <param name="CpuSeconds">CPU time the VM process used since it started (user and system), or null where the node does
/// not say: its rate over time is how busy the VM is (idle shutdown, ADR 0061).</param>
public sealed record VmObservation(
    string Id,
    VmPowerState State,
    string? SpecHash,
    DateTimeOffset? StartedAt,
    string? BootId,
    long? RssBytes,
    double? CpuSeconds = null);
