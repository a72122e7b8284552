using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Data;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// The last look before the reconciler deletes a VM or a network, or makes a VM that is missing: a pass reads its rows
/// first and lists the nodes after, so whatever committed in between (a move, a check-out, a revive) is on the nodes
/// but not in the rows. Acting on that stale view lost a revived machine's disk in CI (its VM swept as an orphan and
/// made again from its template), and would make a moved machine again on the node it left. These ask the database
/// again, at the moment of the act.
/// </summary>
internal static class FreshPlacement
{
    /// <summary>
    /// Whether the database says, now, that a live room wants <paramref name="machineId"/> on <paramref name="node"/>. A
    /// pass's rows are read before it lists the nodes, so a move, check-out or revive that committed in between shows
    /// its VM on the new node while the rows still place it elsewhere; the VM is no orphan, and deleting it would lose
    /// the machine's disk (a CI failure: a revived VM deleted and made again from its template).
    /// </summary>
    public static async Task<bool> VmWantedOnAsync(IDbContextFactory<SkillVlDbContext> dbFactory, string machineId, string node, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Machines.AnyAsync(
            m => m.Id == machineId && m.NodeName == node && db.Rooms.Any(r => r.Id == m.RoomId && !r.DeletionRequested), cancellationToken);
    }

    /// <summary>Whether the database says, now, that a machine of a live room on <paramref name="node"/> has a NIC on
    /// <paramref name="networkId"/> (see <see cref="VmWantedOnAsync"/>). Only that case is checked again: it is the one a
    /// stale pass gets wrong after a move, and deleting the bridge under a running VM cuts its NIC.</summary>
    public static async Task<bool> NetworkWantedOnAsync(IDbContextFactory<SkillVlDbContext> dbFactory, string networkId, string node, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Machines.AnyAsync(
            m => m.NodeName == node && m.Nics.Any(n => n.NetworkId == networkId) && db.Rooms.Any(r => r.Id == m.RoomId && !r.DeletionRequested),
            cancellationToken);
    }
}
