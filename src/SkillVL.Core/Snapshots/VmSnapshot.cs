namespace SkillVL.Core.Snapshots;

/// <summary>One snapshot of a VM as its node reports it.</summary>
/// <param name="Name">Its name (<see cref="SnapshotNames"/>).</param>
/// <param name="WithRam">Whether it holds the guest's memory and device state (a revert resumes the guest).</param>
/// <param name="VmStateBytes">The size of the stored memory and device state (0 for a disk-only one). The disk part
/// shares clusters with the live disk until the guest overwrites them, so no node can say what it alone occupies.</param>
/// <param name="CreatedAt">When it was taken, by the node's clock.</param>
/// <param name="DiskBytes">Set by the create only: the disk's data the snapshot may come to hold alone (the VM's own
/// disk file as allocated just before, less the memory states of older snapshots in it), i.e. if the guest overwrote
/// every block afterwards. An upper bound the Server counts in quotas (ADR 0051); a list cannot know it any more.</param>
public sealed record VmSnapshot(string Name, bool WithRam, long VmStateBytes, DateTimeOffset CreatedAt, long? DiskBytes = null)
{
    /// <summary>What the Server counts for it: the memory state and the disk data it may hold.</summary>
    public long SizeBytes => VmStateBytes + (DiskBytes ?? 0);
}
