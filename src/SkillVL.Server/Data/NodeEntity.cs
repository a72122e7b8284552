namespace SkillVL.Server.Data;

/// <summary>A node whose agent enrolled (the embedded "local" node has no row).</summary>
public sealed class NodeEntity
{
    public required string Name { get; set; }

    /// <summary>server | edge | client.</summary>
    public required string Kind { get; set; }

    /// <summary>SHA-256 of the node's credential.</summary>
    public required string CredentialHash { get; set; }

    public DateTimeOffset EnrolledAt { get; set; }

    public DateTimeOffset? LastSeenAt { get; set; }

    /// <summary>No new machines are placed on a drained node; what runs there stays.</summary>
    public bool Drained { get; set; }

    /// <summary>The facts the agent last reported (JSON), so the node is listed while it is away.</summary>
    public string? FactsJson { get; set; }

    /// <summary>
    /// The user a client node belongs to (issue 12; a user id, as <see cref="RoomEntity.OwnerId"/>): only they and admins
    /// see it, only their rooms' machines go there, and they may remove it. Null: an admin's node.
    /// </summary>
    public string? OwnerId { get; set; }
}
