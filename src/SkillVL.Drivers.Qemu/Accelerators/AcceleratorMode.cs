namespace SkillVL.Drivers.Qemu.Accelerators;

/// <summary>What <see cref="QemuDriverOptions.Accelerator"/> asks for.</summary>
public enum AcceleratorMode
{
    /// <summary>Probe KVM with a real boot, fall back to TCG.</summary>
    Auto,

    /// <summary>Always KVM.</summary>
    Kvm,

    /// <summary>Always TCG.</summary>
    Tcg,
}
