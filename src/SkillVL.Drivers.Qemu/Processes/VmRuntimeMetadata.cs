using SkillVL.Core.Compute;

namespace SkillVL.Drivers.Qemu.Processes;

/// <summary>
/// <c>vm.json</c> in a VM's runtime directory: what a later SkillVL process needs to re-adopt the running VM.
/// </summary>
/// <param name="Spec">The spec QEMU was started with (its NICs name the taps to remove).</param>
/// <param name="BootId">New for every QEMU process; tells the control plane to configure the guest again.</param>
/// <param name="StartedAt">When the process was launched.</param>
/// <param name="Accelerator">"kvm" or "tcg".</param>
public sealed record VmRuntimeMetadata(VmSpec Spec, string BootId, DateTimeOffset StartedAt, string Accelerator);
