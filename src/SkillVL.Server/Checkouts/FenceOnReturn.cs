using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Server.Data;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// The reconciler's step for a fenced client that came back (ADR 0025): the client stops its copy and sets the disk
/// aside (<c>checkouts.fence</c>); the fenced record on the machine gets where, how big and how much was written after
/// the last sync, and the audit log a <c>machine.fenced</c> entry. Repeated until it succeeds (the node call is
/// idempotent); the copy is never deleted.
/// </summary>
public static class FenceOnReturn
{
    public static async Task RunAsync(IDbContextFactory<SkillVlDbContext> dbFactory, INodeAgent client, FencedCopyEntity fence, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var checkouts = client.Checkouts
                ?? throw new DriverException($"Node {client.Facts.Name} has no check-out calls; its copy cannot be fenced.", isTransient: false);
            var copy = await checkouts.FenceAsync(fence.MachineId, fence.Epoch, cancellationToken);
            // Null: the client holds no copy of that epoch (any more); the record is complete without a disk.
            DateTimeOffset? fencedAt = copy?.FencedAt ?? DateTimeOffset.UtcNow;
            var path = copy?.Path;
            var size = copy?.SizeBytes;
            var written = copy?.BytesSinceSync;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var row = await db.FencedCopies.FirstOrDefaultAsync(f => f.Id == fence.Id, cancellationToken);
            if (row is null)
            {
                return; // discarded meanwhile
            }

            (row.FencedAt, row.Path, row.SizeBytes, row.BytesSinceSync) = (fencedAt, path, size, written);
            await FencedCopies.AddAuditAsync(db, fence.MachineId, "machine.fenced", "set-aside",
                $"{client.Facts.Name}, check-out epoch {fence.Epoch}: " + (copy is null
                    ? "no copy of that epoch there any more"
                    : $"disk kept at {copy.Path} ({copy.SizeBytes} bytes; {copy.BytesSinceSync?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} bytes written after the last sync)"),
                cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            CheckoutLog.FencedOnClient(logger, fence.MachineId, client.Facts.Name, fence.Epoch, copy?.Path, copy?.BytesSinceSync);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            CheckoutLog.FenceFailed(logger, fence.MachineId, client.Facts.Name, e);
        }
    }
}
