namespace SkillVL.Core.Api.Placements;

/// <summary>A placement policy as the API shows it (ADR 0030).</summary>
/// <param name="Scope">"global", "course", "user" or "room".</param>
/// <param name="ScopeId">The course's, user's or room's id; null for global.</param>
/// <param name="ScopeName">Its name (course name, username, room name), where it still exists.</param>
/// <param name="Mode">off, suggest or auto; null: not set here.</param>
/// <param name="HysteresisEvaluations">Null: not set here.</param>
/// <param name="MinStaySeconds">Null: not set here.</param>
/// <param name="MaxMovesPerNode">Null: not set here (global only).</param>
/// <param name="MaxMovesPerLink">Null: not set here (global only).</param>
/// <param name="Windows">Times when nothing moves.</param>
/// <param name="UpdatedAt">When it was set.</param>
/// <param name="UpdatedBy">Who set it.</param>
public sealed record PlacementPolicyInfo(
    string Scope,
    string? ScopeId,
    string? ScopeName,
    string? Mode,
    int? HysteresisEvaluations,
    int? MinStaySeconds,
    int? MaxMovesPerNode,
    int? MaxMovesPerLink,
    IReadOnlyList<QuietWindowInfo> Windows,
    DateTimeOffset UpdatedAt,
    string UpdatedBy);
