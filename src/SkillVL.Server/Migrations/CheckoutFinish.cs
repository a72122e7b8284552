using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Server.Data;

namespace SkillVL.Server.Migrations;

/// <summary>
/// The runner's hooks for a check-out and a check-in (ADR 0023), kept out of <see cref="MigrationRunner"/>: before the
/// guest resumes on the client its writes start being tracked; the machine's row records the check-out in the same
/// update that moves it to the client (or clears it when a check-in lands); and the source's paused leftover becomes the
/// retained copy instead of being deleted. A plain move passes through every hook unchanged.
/// </summary>
internal static class CheckoutFinish
{
    /// <summary>Before anything is prepared: both nodes of a check-out or check-in have the check-out calls.</summary>
    /// <exception cref="MigrationAbortedException">One has not (an older agent).</exception>
    public static void Require(MigrationEntity migration, INodeAgent source, INodeAgent target)
    {
        if (migration.Purpose is not null && (source.Checkouts is null || target.Checkouts is null))
        {
            var lacking = source.Checkouts is null ? source.Facts.Name : target.Facts.Name;
            throw new MigrationAbortedException($"A {migration.Purpose} needs the check-out calls on both nodes, and {lacking} has none (an older agent).");
        }
    }

    /// <summary>Check-out only: the persistent dirty bitmap on the client, between <c>CompleteOutgoing</c> and
    /// <c>CompleteIncoming</c> (the client refuses it once the guest runs). A failure aborts the check-out like a target
    /// that cannot resume: the guest goes back to running on the source.</summary>
    public static async Task BeforeResumeAsync(MigrationEntity migration, INodeAgent target, string vmId, CancellationToken cancellationToken)
    {
        if (migration.Purpose != CheckoutRules.Checkout)
        {
            return;
        }

        var checkouts = target.Checkouts
            ?? throw new DriverException($"Node {target.Facts.Name} cannot track writes for a check-out (its agent has no check-out calls).", isTransient: false);
        await checkouts.StartTrackingAsync(vmId, cancellationToken);
    }

    /// <summary>Records a check-out (client, retained node, time) or clears it after a check-in, on the machine's row.</summary>
    public static async Task RecordAsync(SkillVlDbContext db, MigrationEntity migration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (migration.Purpose == CheckoutRules.Checkout)
        {
            await db.Machines.Where(m => m.Id == migration.MachineId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.CheckoutNode, migration.TargetNode)
                .SetProperty(m => m.CheckoutRetainedOn, migration.SourceNode)
                .SetProperty(m => m.CheckoutSince, now)
                .SetProperty(m => m.CheckoutEpoch, m => m.CheckoutEpoch + 1)
                .SetProperty(m => m.CheckoutLeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutLastSyncAt, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutUnsyncedBytes, 0L)
                .SetProperty(m => m.CheckoutSyncedBytes, 0L), cancellationToken);
        }
        else if (migration.Purpose == CheckoutRules.Checkin)
        {
            // The retained copy became the live disk on its node: the check-out is over.
            await db.Machines.Where(m => m.Id == migration.MachineId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.CheckoutNode, (string?)null)
                .SetProperty(m => m.CheckoutRetainedOn, (string?)null)
                .SetProperty(m => m.CheckoutSince, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutLastSyncAt, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutUnsyncedBytes, (long?)null)
                .SetProperty(m => m.CheckoutLeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutSyncedBytes, 0L), cancellationToken);
        }
    }

    /// <summary>
    /// Check-out only, when <see cref="RetainAsync"/> failed after the switch-over: the guest already runs on the client and
    /// stays there, but a check-out with no copy to sync into or to check in onto would be a lie, so the one
    /// <see cref="RecordAsync"/> wrote is taken back — the move becomes a plain one. Only that check-out is cleared (same
    /// client and retained node), so a later one is never touched. Returns the note for the migration's result.
    /// </summary>
    public static async Task<string> ForgetAsync(SkillVlDbContext db, MigrationEntity migration, Exception reason, CancellationToken cancellationToken)
    {
        await db.Machines
            .Where(m => m.Id == migration.MachineId && m.CheckoutNode == migration.TargetNode && m.CheckoutRetainedOn == migration.SourceNode)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.CheckoutNode, (string?)null)
                .SetProperty(m => m.CheckoutRetainedOn, (string?)null)
                .SetProperty(m => m.CheckoutSince, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutLastSyncAt, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutUnsyncedBytes, (long?)null)
                .SetProperty(m => m.CheckoutLeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(m => m.CheckoutSyncedBytes, 0L), cancellationToken);
        return $"Moved, not checked out: {migration.SourceNode} could not keep its copy of the disk ({reason.Message}), so there is "
            + $"nothing to sync into or to check in onto. The machine runs on {migration.TargetNode} as after a plain move; "
            + $"move it back with `skillvl vm migrate` and check it out again.";
    }

    /// <summary>Check-out only: the source's paused leftover becomes the retained copy (<c>RetainAsync</c>) instead of
    /// being deleted. Returns false for any other migration (the caller deletes the leftover).</summary>
    /// <exception cref="DriverException">The node kept no copy: the check-out has nothing to sync into.</exception>
    public static async Task<bool> RetainAsync(MigrationEntity migration, INodeAgent source, string vmId, CancellationToken cancellationToken)
    {
        if (migration.Purpose != CheckoutRules.Checkout)
        {
            return false;
        }

        var checkouts = source.Checkouts
            ?? throw new DriverException($"Node {source.Facts.Name} cannot keep a retained copy (its agent has no check-out calls).", isTransient: false);
        await checkouts.RetainAsync(vmId, cancellationToken);
        return true;
    }
}
