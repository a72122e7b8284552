namespace SkillVL.Drivers.Qemu.Accelerators;

/// <summary>The accelerator a VM actually runs under.</summary>
public enum QemuAccelerator
{
    /// <summary>Hardware virtualisation through /dev/kvm.</summary>
    Kvm,

    /// <summary>QEMU's binary translator: slower, but works everywhere (including nested hosts where KVM hangs).</summary>
    Tcg,
}
