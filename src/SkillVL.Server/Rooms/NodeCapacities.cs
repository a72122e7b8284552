using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;
using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Rooms;

/// <summary>
/// The nodes as placement sees them, read from the registry and the machine rows: memory scaled by the operator's
/// overcommit ratio, minus what machines already take there. Callers hold the <see cref="Quotas.CapacityGate"/> so
/// what they read is still true when they save.
/// </summary>
public sealed class NodeCapacities(SkillVlDbContext db, NodeRegistry nodes, double memoryOvercommit)
{
    /// <summary>Every known node with the memory of the machines placed there (any state), other rooms' only.</summary>
    public async Task<List<NodeCapacity>> ForPlacementAsync(string roomId, CancellationToken cancellationToken)
    {
        var allocated = await db.Machines.AsNoTracking()
            .Where(m => m.RoomId != roomId)
            .GroupBy(m => m.NodeName)
            .Select(g => new { Node = g.Key, Memory = g.Sum(m => m.MemoryBytes), Count = g.Count() })
            .ToDictionaryAsync(g => g.Node, cancellationToken);
        return Build(node => (allocated.GetValueOrDefault(node)?.Memory ?? 0, allocated.GetValueOrDefault(node)?.Count ?? 0));
    }

    /// <summary>
    /// Every known node with the memory of the machines meant to run there, <paramref name="starting"/> excluded: what a
    /// start is checked against.
    /// </summary>
    public async Task<List<NodeCapacity>> ForStartAsync(IReadOnlyCollection<string> starting, CancellationToken cancellationToken)
    {
        var running = await db.Machines.AsNoTracking()
            .Where(m => m.DesiredState == MachineStates.Running && !starting.Contains(m.Id))
            .GroupBy(m => m.NodeName)
            .Select(g => new { Node = g.Key, Memory = g.Sum(m => m.MemoryBytes), Count = g.Count() })
            .ToDictionaryAsync(g => g.Node, cancellationToken);
        return Build(node => (running.GetValueOrDefault(node)?.Memory ?? 0, running.GetValueOrDefault(node)?.Count ?? 0));
    }

    private List<NodeCapacity> Build(Func<string, (long Memory, int Count)> taken) =>
        nodes.Known.Select(n =>
        {
            var (memory, count) = taken(n.Facts.Name);
            return new NodeCapacity(
                n.Facts.Name,
                n.Facts.Cpus,
                (long)(n.Facts.MemoryBytes * memoryOvercommit),
                memory,
                count,
                nodes.IsReachable(n),
                nodes.IsDrained(n.Facts.Name),
                n.Facts.Labels,
                n.Facts.Kind,
                nodes.OwnerOf(n.Facts.Name));
        }).ToList();
}
