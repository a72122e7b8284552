namespace SkillVL.Drivers.Qemu.Disks;

/// <summary>What <c>qemu-img info</c> says about an image.</summary>
/// <param name="Format">Image format, e.g. "qcow2".</param>
/// <param name="VirtualSizeBytes">Size the guest sees.</param>
/// <param name="ActualSizeBytes">Bytes the file occupies on the host (a fresh linked clone: a few hundred KiB).</param>
/// <param name="BackingFile">Absolute path of the backing file, or null for a standalone image.</param>
/// <param name="BackingFormat">Format of the backing file, or null.</param>
public sealed record QcowImageInfo(
    string Format,
    long VirtualSizeBytes,
    long ActualSizeBytes,
    string? BackingFile,
    string? BackingFormat);
