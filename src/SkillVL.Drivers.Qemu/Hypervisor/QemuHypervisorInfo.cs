namespace SkillVL.Drivers.Qemu.Hypervisor;

/// <summary>What <see cref="QemuHypervisorProbe"/> found.</summary>
/// <param name="Version">QEMU's version (<c>7.2.22</c>).</param>
/// <param name="MachineType">The configured machine type with its alias resolved (<c>pc-i440fx-7.2</c>).</param>
/// <param name="MachineTypes">The versioned machine types of that family this QEMU runs.</param>
public sealed record QemuHypervisorInfo(string Version, string MachineType, IReadOnlyList<string> MachineTypes);
