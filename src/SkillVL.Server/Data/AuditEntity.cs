namespace SkillVL.Server.Data;

/// <summary>One append-only audit record (a database trigger refuses updates and deletes).</summary>
public sealed class AuditEntity
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public string? UserId { get; set; }

    public string? Username { get; set; }

    public string? Role { get; set; }

    public required string Action { get; set; }

    public string? Target { get; set; }

    public string? RemoteAddress { get; set; }

    public required string Outcome { get; set; }

    public string? Detail { get; set; }
}
