using SkillVL.Core.Api.Placements;
using SkillVL.Core.Rooms;

namespace SkillVL.Server.PlacementControl;

/// <summary>What came of a policy request: the policy, or why not (400 fields, 403, 404).</summary>
public sealed record PlacementPolicyAnswer(
    PlacementPolicyInfo? Policy = null,
    IReadOnlyList<ValidationError>? Errors = null,
    string? Forbidden = null,
    string? NotFound = null,
    bool Deleted = false);
