namespace SkillVL.Core.Api.Placements;

/// <summary>
/// <c>PUT /api/v1/placement/policies/…</c>: the policy at one scope, replacing what was set there (ADR 0030). A field
/// left out is not set at this scope: a less specific scope or the Server's default decides it.
/// </summary>
/// <param name="Mode">off, suggest or auto.</param>
/// <param name="HysteresisEvaluations">Evaluations in a row a recommendation must persist, 1–120.</param>
/// <param name="MinStaySeconds">How long a machine stays after a move, 0–604800.</param>
/// <param name="MaxMovesPerNode">Automatic moves at once per node, 0–100 (global scope only).</param>
/// <param name="MaxMovesPerLink">Automatic moves at once per pair of nodes, 0–100 (global scope only).</param>
/// <param name="Windows">Times when nothing moves.</param>
public sealed record PlacementPolicyRequest(
    string? Mode = null,
    int? HysteresisEvaluations = null,
    int? MinStaySeconds = null,
    int? MaxMovesPerNode = null,
    int? MaxMovesPerLink = null,
    IReadOnlyList<QuietWindowInfo>? Windows = null);
