namespace SkillVL.Drivers.Qemu.Accelerators;

/// <summary><c>&lt;data&gt;/accelerator.json</c>: the outcome of one KVM probe and what it depends on.</summary>
/// <param name="QemuVersion">First line of <c>qemu-system-x86_64 --version</c>.</param>
/// <param name="KernelSha256">sha256 of the kernel (or the template, for disk boot) the probe booted.</param>
/// <param name="Accelerator">"kvm" or "tcg".</param>
/// <param name="ProbedAt">When the probe ran.</param>
public sealed record AcceleratorProbeResult(string QemuVersion, string KernelSha256, string Accelerator, DateTimeOffset ProbedAt);
