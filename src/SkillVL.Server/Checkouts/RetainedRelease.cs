using SkillVL.Server.Data;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// When a room is deleted, the retained copies of its checked-out machines go too (ADR 0023): nothing else removes them
/// (ADR 0021: they live outside <c>&lt;data&gt;/vms</c>, so no orphan sweep sees them). Until every holding node has
/// answered, the room's deletion waits, as it waits for its VMs and networks; a node that was removed (or whose agent has
/// no check-out calls, so holds no copy) has nothing to release.
/// </summary>
internal static class RetainedRelease
{
    /// <summary>Releases each retained copy of the room's machines; false while a holding node is unreachable or fails.</summary>
    public static async Task<bool> ReleaseAsync(RoomEntity room, NodeRegistry nodes, ILogger logger, CancellationToken cancellationToken)
    {
        var done = true;
        foreach (var machine in room.Machines.Where(m => m.CheckoutRetainedOn is not null))
        {
            if (nodes.Find(machine.CheckoutRetainedOn!) is not { Checkouts: { } checkouts } node)
            {
                continue;
            }

            if (!nodes.IsReachable(node))
            {
                done = false;
                continue;
            }

            try
            {
                await checkouts.ReleaseRetainedAsync(machine.Id, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CheckoutLog.ReleaseFailed(logger, machine.Id, node.Facts.Name, e);
                done = false;
            }
        }

        return done;
    }
}
