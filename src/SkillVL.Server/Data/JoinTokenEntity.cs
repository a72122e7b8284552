namespace SkillVL.Server.Data;

/// <summary>A one-time node join token; only its SHA-256 is stored.</summary>
public sealed class JoinTokenEntity
{
    public required string TokenHash { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }

    public string? UsedBy { get; set; }

    public string? CreatedBy { get; set; }

    /// <summary>
    /// The node kind the token enrols (server | edge | client); null: any kind (an admin's token without a kind, as
    /// before issue 12 — the testbed's). An agent asking for another kind is refused.
    /// </summary>
    public string? Kind { get; set; }

    /// <summary>The user id the client node will belong to; null: an unowned node (an admin's token).</summary>
    public string? OwnerId { get; set; }
}
