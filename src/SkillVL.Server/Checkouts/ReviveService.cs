using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Errors;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Machines;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// Revive of a checked-out machine on its retained node from its last synced copy (ADR 0025): the retained copy becomes
/// the machine's disk there (a cold boot; the client's RAM is out of reach), the check-out ends, the machine's epoch is
/// raised, and the client's copy is recorded as fenced — the reconciler sets it aside when the client returns. The node
/// step comes first and is idempotent; the database changes in one conditional update, so a refusal or a failure leaves
/// the check-out as it was, and two revives at once make one.
/// </summary>
public sealed class ReviveService(
    SkillVlDbContext db,
    NodeRegistry nodes,
    ActiveMigrations active,
    CheckoutSyncService syncs,
    ReconcileTrigger trigger,
    TimeProvider time,
    ILogger<ReviveService> logger)
{
    /// <summary>How long a revive waits for a sync in flight (it holds the retained copy's export).</summary>
    private static readonly TimeSpan SyncWait = TimeSpan.FromMinutes(2);

    /// <summary>The outcome: <see cref="Conflict"/> (409), <see cref="Unavailable"/> (503), or the revived machine.</summary>
    public sealed record Result(MachineEntity? Revived = null, string? Conflict = null, string? Unavailable = null);

    public async Task<Result> ReviveAsync(CurrentUser caller, RoomEntity room, MachineEntity machine, bool lost, CancellationToken cancellationToken)
    {
        var name = $"{room.Name}/{machine.Name}";
        if (ReviveRules.Check(name, machine.CheckoutNode, machine.CheckoutLeaseExpiresAt, time.GetUtcNow(), lost, active.IsMigrating(machine.Id)) is { } refusal)
        {
            return new(Conflict: refusal);
        }

        var client = machine.CheckoutNode!;
        var retainedOn = machine.CheckoutRetainedOn!;
        if (nodes.Find(retainedOn) is not { } node || !nodes.IsReachable(node) || node.Checkouts is not { } checkouts)
        {
            return new(Unavailable: $"{name}: node {retainedOn}, which holds its retained copy, is not reachable; nothing was changed");
        }

        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            wait.CancelAfter(SyncWait);
            await syncs.WaitIdleAsync(machine.Id, wait.Token);
        }

        // Held like a migration from the node step until the rows say where the machine is: a reconcile pass in between
        // would otherwise see the revived VM on the retained node as an orphan and delete it.
        using var cancel = new CancellationTokenSource();
        var hold = new ActiveMigrations.Entry($"revive-{machine.Id}", machine.Id, room.Id, client, retainedOn, cancel);
        if (!active.TryAdd(hold))
        {
            return new(Conflict: $"{name} is being moved or revived; try again when that has ended");
        }

        try
        {
            return await ReviveHeldAsync(caller, name, machine, lost, checkouts, cancellationToken);
        }
        finally
        {
            active.Remove(hold);
        }
    }

    private async Task<Result> ReviveHeldAsync(CurrentUser caller, string name, MachineEntity machine, bool lost, Core.Checkout.IVmCheckoutDriver checkouts, CancellationToken cancellationToken)
    {
        var client = machine.CheckoutNode!;
        var retainedOn = machine.CheckoutRetainedOn!;
        var epoch = machine.CheckoutEpoch;
        try
        {
            await checkouts.ReviveAsync(machine.Id, cancellationToken);
        }
        catch (DriverException e) when (e.IsTransient)
        {
            return new(Unavailable: $"{name}: node {retainedOn}: {e.Message}; nothing was changed");
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Machines
            .Where(m => m.Id == machine.Id && m.CheckoutNode == client && m.CheckoutEpoch == epoch)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.NodeName, retainedOn)
                .SetProperty(m => m.CheckoutEpoch, epoch + 1)
                .SetProperty(m => m.CheckoutNode, (string?)null)
                .SetProperty(m => m.CheckoutRetainedOn, (string?)null)
                .SetProperty(m => m.CheckoutSince, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutLastSyncAt, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutUnsyncedBytes, (long?)null)
                .SetProperty(m => m.CheckoutSyncedBytes, 0L)
                .SetProperty(m => m.CheckoutLeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(m => m.DesiredState, MachineStates.Running)
                .SetProperty(m => m.ObservedState, MachineStates.Stopped)
                .SetProperty(m => m.ObservedSpecHash, (string?)null)
                .SetProperty(m => m.GuestReady, false)
                .SetProperty(m => m.ConfiguredBootId, (string?)null)
                .SetProperty(m => m.ConsecutiveFailures, 0)
                .SetProperty(m => m.LastError, (string?)null), cancellationToken);
        if (changed == 0)
        {
            return new(Conflict: $"{name} changed while it was revived (revived or checked in at the same time)");
        }

        db.FencedCopies.Add(new FencedCopyEntity
        {
            MachineId = machine.Id,
            Node = client,
            Epoch = epoch,
            RevivedAt = now,
            RevivedBy = caller.Username,
            Lost = lost,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        CheckoutLog.Revived(logger, name, retainedOn, client, epoch, lost, caller.Username);
        trigger.Poke();
        return new(Revived: await db.Machines.AsNoTracking().Include(m => m.Nics).FirstAsync(m => m.Id == machine.Id, cancellationToken));
    }
}
