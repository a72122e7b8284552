using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// The end of a fenced copy (ADR 0025): kept until someone with the right to the machine discards it, or its machine
/// is deleted. A copy the client has set aside is deleted on the client (which must be reachable); one the client has
/// not been back with is only forgotten — when the client returns, its VM is then an ordinary orphan and the
/// reconciler deletes it instead of setting it aside.
/// </summary>
public static class FencedCopies
{
    /// <summary>The outcome of a discard: <see cref="NotFound"/> (404), <see cref="Unavailable"/> (503), or done.</summary>
    public sealed record Result(string? NotFound = null, string? Unavailable = null);

    /// <summary>Discards the machine's fenced copy of <paramref name="epoch"/> at a user's request.</summary>
    public static async Task<Result> DiscardAsync(
        SkillVlDbContext db, NodeRegistry nodes, string machineName, string machineId, int epoch, string by, ILogger logger, CancellationToken cancellationToken)
    {
        var fence = await db.FencedCopies.FirstOrDefaultAsync(f => f.MachineId == machineId && f.Epoch == epoch, cancellationToken);
        if (fence is null)
        {
            return new(NotFound: $"Fenced copy of '{machineName}' from check-out epoch {epoch}");
        }

        if (fence.FencedAt is not null)
        {
            if (nodes.Find(fence.Node) is not { } client || !nodes.IsReachable(client) || client.Checkouts is null)
            {
                return new(Unavailable: $"{machineName}: node {fence.Node}, which holds the fenced copy of epoch {epoch}, is not reachable; nothing was changed");
            }

            await client.Checkouts.DiscardFencedAsync(machineId, epoch, cancellationToken);
        }

        db.FencedCopies.Remove(fence);
        await db.SaveChangesAsync(cancellationToken);
        CheckoutLog.FencedDiscarded(logger, machineName, epoch, fence.Node, $"by {by}");
        return new();
    }

    /// <summary>Adds an audit entry by the platform (no user) about a fenced copy, saved with the caller's change; the
    /// target is the machine as ROOM/NAME while it exists, else its id.</summary>
    public static async Task AddAuditAsync(SkillVlDbContext db, string machineId, string action, string outcome, string detail, CancellationToken cancellationToken)
    {
        var name = await db.Machines.AsNoTracking().Where(m => m.Id == machineId)
            .Join(db.Rooms, m => m.RoomId, r => r.Id, (m, r) => r.Name + "/" + m.Name).FirstOrDefaultAsync(cancellationToken);
        db.Audit.Add(new AuditEntity
        {
            At = DateTimeOffset.UtcNow,
            Action = action,
            Target = Logging.LogRedaction.Redact(name ?? machineId),
            Outcome = outcome,
            Detail = Logging.LogRedaction.Redact(detail),
        });
    }

    /// <summary>
    /// The reconciler's step for <paramref name="client"/>: the fenced copies on it whose machine is gone (its room was
    /// deleted) are discarded — a set-aside disk deleted on the client, a copy not yet set aside forgotten (the VM is
    /// then an orphan the same pass deletes). Failures are logged and tried again next pass.
    /// </summary>
    public static async Task DiscardOrphanedAsync(
        IDbContextFactory<SkillVlDbContext> dbFactory, INodeAgent client, IReadOnlyList<FencedCopyEntity> orphaned, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var fence in orphaned)
        {
            try
            {
                if (fence.FencedAt is not null)
                {
                    var checkouts = client.Checkouts
                        ?? throw new DriverException($"Node {client.Facts.Name} has no check-out calls; its fenced copy cannot be deleted.", isTransient: false);
                    await checkouts.DiscardFencedAsync(fence.MachineId, fence.Epoch, cancellationToken);
                }

                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                db.FencedCopies.RemoveRange(db.FencedCopies.Where(f => f.Id == fence.Id));
                await AddAuditAsync(db, fence.MachineId, "machine.fenced.discarded", fence.FencedAt is null ? "forgotten" : "deleted",
                    $"{client.Facts.Name}, check-out epoch {fence.Epoch}: its machine was deleted", cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                CheckoutLog.FencedDiscarded(logger, fence.MachineId, fence.Epoch, client.Facts.Name, "its machine was deleted");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                CheckoutLog.FencedDiscardFailed(logger, fence.MachineId, fence.Epoch, client.Facts.Name, e);
            }
        }
    }
}
