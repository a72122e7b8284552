namespace SkillVL.Core.Api.Snapshots;

/// <summary>A machine's snapshot (issue 18, ADR 0051).</summary>
/// <param name="Machine">The machine's name in its room.</param>
/// <param name="Name">The snapshot's name, unique per machine.</param>
/// <param name="WithRam">Whether a revert brings the running guest back (memory and devices), not only its disk.</param>
/// <param name="SizeBytes">What it counts in the disk quota: its memory state and the disk data it may come to hold
/// alone (an upper bound, measured by the node when it was taken).</param>
/// <param name="CreatedAt">When it was taken.</param>
/// <param name="CreatedBy">Who took it (username).</param>
public sealed record SnapshotInfo(string Machine, string Name, bool WithRam, long SizeBytes, DateTimeOffset CreatedAt, string CreatedBy);
