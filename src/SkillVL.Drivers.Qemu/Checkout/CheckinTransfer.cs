using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.Drivers.Qemu.Migration;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>
/// The source's disk side of a check-in (<see cref="DiskTransfer.Incremental"/>, ADR 0021). QEMU 7.2's mirror cannot
/// start from a bitmap (<c>blockdev-mirror</c> learned that in QEMU 9/10), so instead of mirroring: a catch-up
/// incremental backup into the target's NBD export while the guest runs (the disk phase), then RAM with
/// <c>pause-before-switchover</c>; when QEMU pauses there, the guest is stopped and its disk quiet, and a last
/// incremental backup copies what was written since the catch-up; then <c>migrate-continue</c>. Driven by the
/// engine's status polls (<see cref="StatusAsync"/>), so no background task outlives a restart of the agent.
/// </summary>
internal sealed class CheckinTransfer(QemuProcessSupervisor supervisor, ILogger logger)
{
    /// <summary>Bytes copied by jobs already dismissed, per migration (the final step dismisses them before it continues).</summary>
    private readonly ConcurrentDictionary<string, (long Done, long Total)> _copied = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _steps = new(StringComparer.Ordinal);

    /// <summary><c>migrate-set-capabilities</c> of <c>pause-before-switchover</c>: set explicitly for every migration,
    /// so a cancelled check-in never leaves a later ordinary migration of the same QEMU waiting at the switch-over.</summary>
    public static JsonObject PauseBeforeSwitchover(bool on) => new()
    {
        ["capabilities"] = new JsonArray { new JsonObject { ["capability"] = "pause-before-switchover", ["state"] = on } },
    };

    /// <summary>The disk phase: the catch-up copy of every marked cluster (the whole overlay if the bitmap cannot be
    /// trusted; a fresh bitmap then records what the final copy must add).</summary>
    public async Task StartAsync(VmPaths paths, DataRate speed, CancellationToken cancellationToken)
    {
        var bitmap = CheckoutQmp.FindBitmap(await supervisor.ExecuteQmpAsync(paths, "query-named-block-nodes", CheckoutQmp.QueryNodes(), cancellationToken));
        var incremental = bitmap is { Inconsistent: false } && !File.Exists(QemuCheckoutDriver.FullSyncFlag(paths));
        if (!incremental)
        {
            if (bitmap is not null)
            {
                await supervisor.ExecuteQmpAsync(paths, "block-dirty-bitmap-remove", CheckoutQmp.BitmapRemove(), cancellationToken);
            }

            await supervisor.ExecuteQmpAsync(paths, "block-dirty-bitmap-add", CheckoutQmp.BitmapAdd(), cancellationToken);
            logger.BitmapInconsistent(paths.VmId);
        }

        await supervisor.ExecuteQmpAsync(paths, "blockdev-backup", CheckoutQmp.Backup(CheckoutQmp.CatchUpJob, MigrationQmp.TargetNode, incremental, speed), cancellationToken);
        logger.CheckinCopyStarted(paths.VmId, CheckoutQmp.CatchUpJob, incremental ? "incremental" : "whole overlay");
    }

    /// <summary>Whether the catch-up copy ended without an error (RAM may start).</summary>
    public async Task<bool> CatchUpDoneAsync(VmPaths paths, CancellationToken cancellationToken) =>
        CheckoutQmp.FindJob(await supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken), CheckoutQmp.CatchUpJob)
            is { Ended: true, Error: null };

    /// <summary>One poll of a check-in's outgoing migration; at the pause before the switch-over it starts the final
    /// copy, and once that succeeded it lets the migration continue.</summary>
    public async Task<OutgoingMigrationStatus> StatusAsync(VmPaths paths, OutgoingRecord record, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var step = _steps.GetOrAdd(paths.VmId, static _ => new SemaphoreSlim(1, 1));
        await step.WaitAsync(cancellationToken);
        try
        {
            var jobs = await supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken);
            var catchUp = CheckoutQmp.FindJob(jobs, CheckoutQmp.CatchUpJob);
            var final = CheckoutQmp.FindJob(jobs, CheckoutQmp.FinalJob);
            _copied.TryGetValue(record.Request.MigrationId, out var dismissed);
            var done = dismissed.Done + (catchUp?.Done ?? 0) + (final?.Done ?? 0);
            var total = dismissed.Total + (catchUp?.Total ?? 0) + (final?.Total ?? 0);
            if ((catchUp?.Error ?? final?.Error) is { } error)
            {
                return new OutgoingMigrationStatus(OutgoingMigrationState.Failed, done, total, null, null, null, 0, "The disk copy to the target failed: " + error);
            }

            if (!record.RamStarted)
            {
                var state = catchUp is null ? OutgoingMigrationState.Cancelled
                    : catchUp.Ended ? OutgoingMigrationState.DiskReady
                    : OutgoingMigrationState.MirroringDisk;
                return new OutgoingMigrationStatus(state, done, total, null, null, null, 0, null);
            }

            var migrate = await supervisor.ExecuteQmpAsync(paths, "query-migrate", null, cancellationToken);
            if (migrate?["status"]?.GetValue<string>() == "pre-switchover")
            {
                await SwitchOverStepAsync(paths, record.Request.MigrationId, final, cancellationToken);
            }

            return MigrationQmp.Status(null, migrate, elapsed, ramStarted: true) with { DiskBytesDone = done, DiskBytesTotal = total };
        }
        finally
        {
            step.Release();
        }
    }

    /// <summary>Cancels the check-in's copies (the bitmap keeps their clusters: <c>on-success</c>) and dismisses them.
    /// No-op without any. Safe in any state.</summary>
    public async Task EndAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        foreach (var id in new[] { CheckoutQmp.CatchUpJob, CheckoutQmp.FinalJob })
        {
            var job = CheckoutQmp.FindJob(await supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken), id);
            if (job is null)
            {
                continue;
            }

            if (!job.Ended)
            {
                await TryAsync(paths, "job-cancel", new JsonObject { ["id"] = id }, cancellationToken);
                for (var i = 0; i < 150 && CheckoutQmp.FindJob(await supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken), id) is { Ended: false }; i++)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                }
            }

            await TryAsync(paths, "job-dismiss", new JsonObject { ["id"] = id }, cancellationToken);
        }
    }

    private async Task SwitchOverStepAsync(VmPaths paths, string migrationId, BackupJob? final, CancellationToken cancellationToken)
    {
        if (_copied.ContainsKey(migrationId))
        {
            return; // continued already; QEMU leaves pre-switchover a moment later (a second migrate-continue is undefined)
        }

        if (final is null)
        {
            // Paused: nothing writes any more, so this copy makes the target's disk equal to ours. No speed cap: it is
            // part of the downtime.
            await supervisor.ExecuteQmpAsync(
                paths, "blockdev-backup", CheckoutQmp.Backup(CheckoutQmp.FinalJob, MigrationQmp.TargetNode, incremental: true, DataRate.Zero), cancellationToken);
            logger.CheckinCopyStarted(paths.VmId, CheckoutQmp.FinalJob, "incremental, paused");
            return;
        }

        if (!final.Ended)
        {
            return;
        }

        // Dismissed before the switch-over: the migration then inactivates every block node, and a job's node
        // with write permission would refuse that. The NBD node goes too; its writes were all acknowledged.
        var jobs = await supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken);
        var catchUp = CheckoutQmp.FindJob(jobs, CheckoutQmp.CatchUpJob);
        _copied[migrationId] = ((catchUp?.Done ?? 0) + final.Done, (catchUp?.Total ?? 0) + final.Total);
        await EndAsync(paths, cancellationToken);
        await TryAsync(paths, "blockdev-del", new JsonObject { ["node-name"] = MigrationQmp.TargetNode }, cancellationToken);
        await supervisor.ExecuteQmpAsync(paths, "migrate-continue", new JsonObject { ["state"] = "pre-switchover" }, cancellationToken);
        logger.FinalCopyDone(paths.VmId, final.Done);
    }

    private async Task TryAsync(VmPaths paths, string command, JsonObject arguments, CancellationToken cancellationToken)
    {
        try
        {
            await supervisor.ExecuteQmpAsync(paths, command, arguments, cancellationToken);
        }
        catch (DriverException e) when (!e.IsTransient)
        {
            // Already gone.
        }
    }
}
