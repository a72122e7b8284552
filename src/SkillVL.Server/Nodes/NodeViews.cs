using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Core.Nodes;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Nodes;

/// <summary>
/// What a caller sees of the nodes (issue 11, finding 9; issue 12). An admin: everything — every user's allocation, the
/// underlay address, who owns each client node. A student or teacher: what they need to choose where their machines go
/// — name, kind, state, drained, labels, accelerator and the node's size — with the allocation figures counting only
/// their own machines. No free figure: a node's free memory is its size minus everyone's allocation, which with one
/// other user on the node is exactly that user's allocation. Their own client nodes they see in full (only their
/// machines can be there); other users' client nodes not at all.
/// </summary>
public static class NodeViews
{
    public static async Task<IReadOnlyList<NodeInfo>> ListAsync(
        CurrentUser caller, NodeRegistry registry, NodeLoadHistory loads, SkillVlDbContext db, CancellationToken cancellationToken)
    {
        var visible = registry.Known.Where(n => Visible(caller, n.Facts, registry.OwnerOf(n.Facts.Name))).ToList();
        var own = visible.Where(n => registry.OwnerOf(n.Facts.Name)?.Id == caller.Id).Select(n => n.Facts.Name).ToList();
        var machines = caller.IsAdmin
            ? db.Machines.AsNoTracking()
            : db.Machines.AsNoTracking().Where(m => own.Contains(m.NodeName) || db.Rooms.Any(r => r.Id == m.RoomId && r.OwnerId == caller.Id));
        var placed = await machines.ToListAsync(cancellationToken);
        return visible.Select(n =>
        {
            var owner = registry.OwnerOf(n.Facts.Name);
            var full = caller.IsAdmin || own.Contains(n.Facts.Name);
            return Info(n, registry, placed.Where(m => m.NodeName == n.Facts.Name).ToList(), full, owner?.Username) with
            {
                Load = caller.IsAdmin ? loads.Latest(n.Facts.Name) : null,
                DepartsAt = registry.DepartureOf(n.Facts.Name),
            };
        }).ToList();
    }

    /// <summary>
    /// Whether the caller may know the node exists: an admin any; anyone else every node but other users' client nodes
    /// (404 on get and delete, absent from the list, as another user's room).
    /// </summary>
    public static bool Visible(CurrentUser caller, NodeFacts node, NodeOwner? owner) =>
        caller.IsAdmin || node.Kind != "client" || owner is null || owner.Id == caller.Id;

    private static NodeInfo Info(INodeAgent node, NodeRegistry registry, List<MachineEntity> placed, bool full, string? owner) => new(
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
        full ? node.Facts.UnderlayAddress : null,
        node.Facts.Labels,
        full ? NodeInfo.AllocationAll : NodeInfo.AllocationYours,
        full ? owner : null);
}
