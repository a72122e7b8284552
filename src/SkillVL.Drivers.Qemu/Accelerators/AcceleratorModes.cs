namespace SkillVL.Drivers.Qemu.Accelerators;

/// <summary>Parsing and naming of accelerators as they appear in options, files and QEMU arguments.</summary>
public static class AcceleratorModes
{
    /// <summary>Parses "auto", "kvm" or "tcg" (case-insensitive); null for anything else.</summary>
    public static AcceleratorMode? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "auto" => AcceleratorMode.Auto,
        "kvm" => AcceleratorMode.Kvm,
        "tcg" => AcceleratorMode.Tcg,
        _ => null,
    };

    /// <summary>The name QEMU's <c>-accel</c> and <see cref="Core.Nodes.NodeFacts.Accelerator"/> use.</summary>
    public static string ToQemuName(this QemuAccelerator accelerator) => accelerator switch
    {
        QemuAccelerator.Kvm => "kvm",
        QemuAccelerator.Tcg => "tcg",
        _ => throw new ArgumentOutOfRangeException(nameof(accelerator), accelerator, null),
    };

    public static QemuAccelerator? ParseQemuName(string? value) => value switch
    {
        "kvm" => QemuAccelerator.Kvm,
        "tcg" => QemuAccelerator.Tcg,
        _ => null,
    };
}
