namespace SkillVL.Core.Placement;

/// <summary>A node as the placement advisor sees it (ADR 0027).</summary>
/// <param name="Name">The node's name.</param>
/// <param name="Kind">"server", "edge" or "client" (a student's computer).</param>
/// <param name="Online">Whether its agent is connected: nothing moves to or from a node that is not.</param>
/// <param name="Drained">An admin stopped placing machines there; the advisor does not suggest it as a target.</param>
/// <param name="OwnerId">A client node's owner: it takes only that user's machines (issue 12). Null for others.</param>
/// <param name="CpuUtilization">Its CPU use, 0–1, from the heartbeats; null when not reported (an older agent, the
/// embedded node): then it is never called hot, and as a target it counts as idle.</param>
/// <param name="FreeMemoryBytes">What a machine moved there could take.</param>
/// <param name="DepartsIn">A client that announced it is leaving (a laptop closing) leaves in this long; null: not
/// announced (no agent reports it yet; the advisor already acts on it).</param>
public sealed record PlacementNode(
    string Name,
    string Kind,
    bool Online,
    bool Drained,
    string? OwnerId,
    double? CpuUtilization,
    long FreeMemoryBytes,
    TimeSpan? DepartsIn = null)
{
    /// <summary>Whether the node is a student's computer.</summary>
    public bool IsClient => Kind == "client";
}
