namespace SkillVL.Server.Data;

/// <summary>A course invite code; only its SHA-256 is stored.</summary>
public sealed class InviteEntity
{
    public required string CodeHash { get; set; }

    public required string CourseId { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public int UsesLeft { get; set; }
}
