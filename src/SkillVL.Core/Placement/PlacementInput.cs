using SkillVL.Core.Migration;

namespace SkillVL.Core.Placement;

/// <summary>What the advisor decides from: the signals as they are now (ADR 0027).</summary>
/// <param name="Nodes">Every node a machine could be on or go to.</param>
/// <param name="Candidates">The running machines to consider.</param>
/// <param name="Link">The link between two nodes (from, to), measured or configured; null: unknown, no move is predicted.</param>
/// <param name="ConsoleRoundTrip">A user's console round trip to machines on a node (user id, node), where measured;
/// null: not measured, and no console gain is claimed.</param>
public sealed record PlacementInput(
    IReadOnlyList<PlacementNode> Nodes,
    IReadOnlyList<PlacementCandidate> Candidates,
    Func<string, string, LinkMeasurement?> Link,
    Func<string, string, TimeSpan?> ConsoleRoundTrip);
