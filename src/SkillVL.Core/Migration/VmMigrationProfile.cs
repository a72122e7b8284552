namespace SkillVL.Core.Migration;

/// <summary>
/// What the platform knows about the VM to move: its sizes, as the source node reports them, and its measured
/// write activity. All sizes in bytes.
/// </summary>
public sealed record VmMigrationProfile
{
    /// <summary>Guest RAM (the research's V_mem, QMP <c>ram.total</c>).</summary>
    public required long MemoryBytes { get; init; }

    /// <summary>
    /// RAM that is not zero pages, if known; null = all of <see cref="MemoryBytes"/>. QEMU sends a zero page as a
    /// header only (its <c>zero-pages</c> counter), so the first pass of a half-empty guest moves half its RAM.
    /// </summary>
    public long? NonZeroMemoryBytes { get; init; }

    /// <summary>Page-dirty rate D (QMP <c>calc-dirty-rate</c>, or <c>dirty-pages-rate</c> × page size).</summary>
    public DataRate DirtyRate { get; init; }

    /// <summary>Allocated bytes of the VM's own qcow2 overlay: what <c>blockdev-mirror</c> copies when the target
    /// has the base image.</summary>
    public long OverlayBytes { get; init; }

    /// <summary>Size of the template (base image) the overlay is backed by.</summary>
    public long BaseImageBytes { get; init; }

    /// <summary>Whether the target's content-addressed template store already holds the base (issue 6 §3): then
    /// only the overlay crosses the link; otherwise the base goes first, once, and is cached for next time.</summary>
    public bool TargetHasBase { get; init; }

    /// <summary>Source and target open the same disk (a Ceph pool both share, ADR 0055): nothing of the disk crosses the
    /// link — no base image, no mirror, and the guest's disk writes go to the storage, not over the migration's link.</summary>
    public bool SharedDisk { get; init; }

    /// <summary>How fast the guest writes to its disk; those writes are mirrored while the migration runs.</summary>
    public DataRate DiskWriteRate { get; init; }

    /// <summary>
    /// Expected ratio of RAM bytes to compressed bytes with zstd, ≥ 1; 1 (the default) predicts no gain, which is
    /// the safe assumption for an unmeasured guest. For scale: 54 GB of Silesia corpus crossed a 10 Gbit/s link as
    /// about 2.5× fewer bytes with multifd zstd (migration-anchors.md §1 row 23).
    /// </summary>
    public double CompressionRatio { get; init; } = 1;
}
