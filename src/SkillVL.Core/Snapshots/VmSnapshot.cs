namespace SkillVL.Core.Snapshots;

/// <summary>One snapshot of a VM as its node reports it.</summary>
/// <param name="Name">Its name (<see cref="SnapshotNames"/>).</param>
/// <param name="WithRam">Whether it holds the guest's memory and device state (a revert resumes the guest).</param>
/// <param name="VmStateBytes">The size of the stored memory and device state (0 for a disk-only one). The disk part
/// shares clusters with the live disk until the guest overwrites them, so no node can say what it alone occupies.</param>
/// <param name="CreatedAt">When it was taken, by the node's clock.</param>
public sealed record VmSnapshot(string Name, bool WithRam, long VmStateBytes, DateTimeOffset CreatedAt);
