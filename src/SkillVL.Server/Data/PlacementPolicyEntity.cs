namespace SkillVL.Server.Data;

/// <summary>
/// A placement policy set at one scope (ADR 0030): the whole platform, a course, a user or a room. A null column is not
/// set here; a less specific scope or the Server's defaults decide it.
/// </summary>
public sealed class PlacementPolicyEntity
{
    /// <summary>"global", "course:ID", "user:ID" or "room:ID": one policy per scope.</summary>
    public required string Scope { get; set; }

    /// <summary>"global", "course", "user" or "room".</summary>
    public required string ScopeKind { get; set; }

    /// <summary>The course's, user's or room's id; null for global. Deleting the object deletes its policy.</summary>
    public string? ScopeId { get; set; }

    public string? Mode { get; set; }

    public int? HysteresisEvaluations { get; set; }

    public int? MinStaySeconds { get; set; }

    public int? MaxMovesPerNode { get; set; }

    public int? MaxMovesPerLink { get; set; }

    /// <summary>The quiet windows as JSON ([{from, to}], UTC); null: none.</summary>
    public string? WindowsJson { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The username of who set it.</summary>
    public required string UpdatedBy { get; set; }
}
