using System.Globalization;

namespace SkillVL.Core.Placement.Control;

/// <summary>
/// Where each running machine of a node goes when the node is evacuated (<c>skillvl node drain NODE --evacuate</c>, ADR
/// 0030), pure: a pinned machine stays (the room's <c>node:</c> wins) and is named; a checked-out machine goes back to the
/// node keeping its disk; any other goes to the connected, undrained server or edge node that is least busy (CPU) and
/// has the memory, the memory of machines sent there before it counted; none: it is named with the reason.
/// </summary>
public static class EvacuationPlanner
{
    /// <summary>One machine's destination, or why it has none.</summary>
    public sealed record Move(PlacementCandidate Machine, string? To, string? Refused);

    /// <summary>The plan for <paramref name="machines"/> on <paramref name="source"/>, largest machine first (the hardest to place).</summary>
    public static IReadOnlyList<Move> Plan(string source, IReadOnlyList<PlacementCandidate> machines, IReadOnlyList<PlacementNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(nodes);
        var free = nodes.ToDictionary(n => n.Name, n => n.FreeMemoryBytes, StringComparer.Ordinal);
        var plan = new List<Move>();
        foreach (var machine in machines.OrderByDescending(m => m.Profile.MemoryBytes).ThenBy(m => m.Machine, StringComparer.Ordinal))
        {
            if (machine.PinnedNode is { } pin)
            {
                plan.Add(new(machine, null, $"the room pins it to {pin} (node: wins over the evacuation)"));
                continue;
            }

            var targets = nodes.Where(n => n.Name != source && n.Online && !n.Drained && (machine.OnlyTo is { } only ? n.Name == only : !n.IsClient)).ToList();
            if (targets.Count == 0)
            {
                plan.Add(new(machine, null, machine.OnlyTo is { } retained
                    ? $"it is checked out and can only go back to {retained}, which is not connected or is drained"
                    : "no other connected, undrained server or edge node"));
                continue;
            }

            var target = targets.Where(n => free[n.Name] >= machine.Profile.MemoryBytes)
                .OrderBy(n => n.CpuUtilization ?? 0).ThenByDescending(n => free[n.Name]).ThenBy(n => n.Name, StringComparer.Ordinal)
                .FirstOrDefault();
            if (target is null)
            {
                plan.Add(new(machine, null, string.Create(CultureInfo.InvariantCulture,
                    $"no node has {machine.Profile.MemoryBytes / (1024 * 1024)} MiB free (most: {targets.Max(n => free[n.Name]) / (1024 * 1024)} MiB on {targets.MaxBy(n => free[n.Name])!.Name})")));
                continue;
            }

            free[target.Name] -= machine.Profile.MemoryBytes;
            plan.Add(new(machine, target.Name, null));
        }

        return plan;
    }
}
