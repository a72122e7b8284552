using SkillVL.Core.Templates;

namespace SkillVL.Drivers.Qemu.Templates;

/// <summary>The files of one stored template, as the command-line builder needs them.</summary>
/// <param name="Sha256">Content address of the template.</param>
/// <param name="Boot">How it boots.</param>
/// <param name="DiskPath">Absolute path of the base disk (qcow2), the backing file of every clone.</param>
/// <param name="KernelPath">Kernel for <see cref="BootMethod.Kernel"/>, else null.</param>
/// <param name="InitrdPath">Initrd for <see cref="BootMethod.Kernel"/>, or null.</param>
/// <param name="KernelCommandLine">Kernel command line for <see cref="BootMethod.Kernel"/>, or null.</param>
/// <param name="KernelSha256">sha256 of the kernel file (keys the accelerator probe cache), or null.</param>
/// <param name="CloudInit">The guest reads a NoCloud seed: the VM gets one as a read-only second disk (ADR 0059).</param>
public sealed record TemplateFiles(
    string Sha256,
    BootMethod Boot,
    string DiskPath,
    string? KernelPath,
    string? InitrdPath,
    string? KernelCommandLine,
    string? KernelSha256,
    bool CloudInit = false);
