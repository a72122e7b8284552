namespace SkillVL.Core.Placement.Control;

/// <summary>
/// The placement policy set at one scope (global, course, user or room; ADR 0030). A null field is not set here: a less
/// specific scope, then the Server's defaults, decide it.
/// </summary>
/// <param name="Mode">One of <see cref="PlacementModes"/>.</param>
/// <param name="HysteresisEvaluations">How many consecutive evaluations a recommendation must persist before it counts.</param>
/// <param name="MinStaySeconds">How long a machine stays on a node after a move before it may move again.</param>
/// <param name="MaxMovesPerNode">Moves under way at once that touch one node (global scope only: nodes are shared).</param>
/// <param name="MaxMovesPerLink">Moves under way at once between one pair of nodes (global scope only).</param>
/// <param name="Windows">When nothing moves; the windows of every scope that applies hold, not only the most specific.</param>
public sealed record PlacementPolicy(
    string? Mode = null,
    int? HysteresisEvaluations = null,
    int? MinStaySeconds = null,
    int? MaxMovesPerNode = null,
    int? MaxMovesPerLink = null,
    IReadOnlyList<QuietWindow>? Windows = null);
