namespace SkillVL.Server.Data;

/// <summary>
/// A snapshot of a machine (issue 18, ADR 0051). The snapshot itself lives on the machine's node, in its disk; this row
/// is who took it, when, and what it counts in its owner's disk quota. It goes with its machine (cascade), as the
/// snapshot goes with the machine's disk on the node.
/// </summary>
public sealed class SnapshotEntity
{
    public required string Id { get; set; }

    public required string MachineId { get; set; }

    /// <summary>The machine's room, so a room's snapshots and a quota's are one query.</summary>
    public required string RoomId { get; set; }

    /// <summary>A slug (<see cref="Core.Snapshots.SnapshotNames"/>), unique per machine.</summary>
    public required string Name { get; set; }

    public bool WithRam { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The username of who took it.</summary>
    public required string CreatedBy { get; set; }

    /// <summary>As its node reported it at creation: memory state plus the disk data it may come to hold alone (an upper
    /// bound; <see cref="Core.Snapshots.VmSnapshot.SizeBytes"/>). Counted in the disk quota.</summary>
    public long SizeBytes { get; set; }
}
