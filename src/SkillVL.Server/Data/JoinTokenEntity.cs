namespace SkillVL.Server.Data;

/// <summary>A one-time node join token; only its SHA-256 is stored.</summary>
public sealed class JoinTokenEntity
{
    public required string TokenHash { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }

    public string? UsedBy { get; set; }

    public string? CreatedBy { get; set; }
}
