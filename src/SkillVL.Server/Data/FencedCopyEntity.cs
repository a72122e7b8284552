namespace SkillVL.Server.Data;

/// <summary>
/// A client's copy of a machine fenced by a revive (ADR 0025): written when the machine is revived (the client may be
/// offline), completed when the client came back and set the copy aside. Kept until someone deletes it by hand — the
/// disk on the client may hold the student's last work.
/// </summary>
public sealed class FencedCopyEntity
{
    public long Id { get; set; }

    public required string MachineId { get; set; }

    /// <summary>The client holding the copy.</summary>
    public required string Node { get; set; }

    /// <summary>The check-out epoch the copy belongs to (the machine's epoch before the revive).</summary>
    public int Epoch { get; set; }

    public DateTimeOffset RevivedAt { get; set; }

    /// <summary>The username of who revived the machine.</summary>
    public required string RevivedBy { get; set; }

    /// <summary>Whether the revive declared the client lost before its lease ran out.</summary>
    public bool Lost { get; set; }

    /// <summary>When the client set the copy aside; null: it has not been back since.</summary>
    public DateTimeOffset? FencedAt { get; set; }

    public string? Path { get; set; }

    public long? SizeBytes { get; set; }

    public long? BytesSinceSync { get; set; }
}
