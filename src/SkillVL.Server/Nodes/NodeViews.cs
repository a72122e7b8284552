using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Core.Nodes;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Nodes;

/// <summary>
/// What a caller sees of the nodes (issue 11, finding 9). An admin: everything — every user's allocation, the underlay
/// address. A student or teacher: what they need to choose where their machines go — name, kind, state, drained,
/// labels, accelerator and the node's size — with the allocation figures counting only their own machines. No free
/// figure: a node's free memory is its size minus everyone's allocation, which with one other user on the node is
/// exactly that user's allocation.
/// </summary>
public static class NodeViews
{
    public static async Task<IReadOnlyList<NodeInfo>> ListAsync(CurrentUser caller, NodeRegistry registry, SkillVlDbContext db, CancellationToken cancellationToken)
    {
        var machines = caller.IsAdmin
            ? db.Machines.AsNoTracking()
            : db.Machines.AsNoTracking().Where(m => db.Rooms.Any(r => r.Id == m.RoomId && r.OwnerId == caller.Id));
        var placed = await machines.ToListAsync(cancellationToken);
        return registry.Known.Select(n => Info(n, registry, placed.Where(m => m.NodeName == n.Facts.Name).ToList(), caller.IsAdmin)).ToList();
    }

    private static NodeInfo Info(INodeAgent node, NodeRegistry registry, List<MachineEntity> placed, bool admin) => new(
        node.Facts.Name,
        node.Facts.Kind,
        registry.IsReachable(node) ? "ready" : "unreachable",
        node.Facts.Accelerator,
        node.Facts.Cpus,
        node.Facts.MemoryBytes,
        placed.Count(m => m.ObservedState == MachineStates.Running),
        placed.Sum(m => m.Cpus),
        placed.Sum(m => m.MemoryBytes),
        registry.IsDrained(node.Facts.Name),
        admin ? node.Facts.UnderlayAddress : null,
        node.Facts.Labels,
        admin ? NodeInfo.AllocationAll : NodeInfo.AllocationYours);
}
