using SkillVL.Core.Migration;
using SkillVL.Core.Placement;

namespace SkillVL.Server.Recommendations;

/// <summary>The live signals the advisor decides from (ADR 0027); the Server's come from <see cref="LivePlacementSignals"/>.</summary>
public interface IPlacementSignals
{
    /// <summary>Every known node with its state and load; <paramref name="allocatedBytes"/> is the memory of the machines
    /// placed on each node (all users'), which the free memory subtracts.</summary>
    IReadOnlyList<PlacementNode> Nodes(IReadOnlyDictionary<string, long> allocatedBytes);

    /// <summary>The link between two nodes; null: unknown.</summary>
    LinkMeasurement? Link(string from, string to);

    /// <summary>A user's console round trip to machines on a node; null: not measured.</summary>
    TimeSpan? ConsoleRoundTrip(string userId, string node);
}
