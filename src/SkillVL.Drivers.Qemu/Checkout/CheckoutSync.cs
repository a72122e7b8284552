using SkillVL.Core.Checkout;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.Drivers.Qemu.Migration.Tunnel;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>
/// One background sync on the client (<see cref="QemuCheckoutDriver.SyncAsync"/>): opens the client's tunnel to the
/// server node's export (the client dials), adds the export as an NBD node, runs the backup job, and removes all of it
/// again whatever happened. Setup and cleanup hold the VM's lock; the copy itself does not, so a stop or a status poll
/// is not held up by a long sync (a stop ends the sync: QEMU's job fails with the process).
/// </summary>
internal sealed class CheckoutSync(QemuCheckoutDriver driver, VmPaths paths, RetainedExport target, DataRate speed)
{
    private string TunnelKey => paths.VmId + "-sync";

    private string Socket => MigrationTunnels.OutgoingSocket(paths.RuntimeDirectory, MigrationTunnels.SyncChannel);

    public async Task<DiskSyncResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = driver.Time.GetTimestamp();
        var full = false;
        await driver.Vms.WithVmLockAsync(paths.VmId, async () => full = await StartAsync(cancellationToken), cancellationToken);
        BackupJob? job = null;
        long tunnelBytes = 0;
        try
        {
            job = await WaitAsync(cancellationToken);
        }
        finally
        {
            tunnelBytes = driver.Tunnels.OutgoingCounters(TunnelKey) is { } c ? c.WireSent + c.WireReceived : 0;
            await driver.Vms.WithVmLockAsync(paths.VmId, () => CleanUpAsync(CancellationToken.None), CancellationToken.None);
        }

        if (job.Error is not null)
        {
            driver.Logger.SyncFailed(paths.VmId, job.Error);
            throw new DriverException(
                $"VM {paths.VmId}: the sync into the retained copy failed ({job.Error}); every changed block is still marked for the next sync.",
                isTransient: true);
        }

        if (full)
        {
            File.Delete(QemuCheckoutDriver.FullSyncFlag(paths));
        }

        var elapsed = driver.Time.GetElapsedTime(started);
        driver.Logger.Synced(paths.VmId, job.Done, tunnelBytes, elapsed.TotalSeconds, full);
        return new DiskSyncResult(job.Done, tunnelBytes, elapsed, full);
    }

    /// <summary>Starts the copy; returns whether it copies the whole overlay (the bitmap cannot be trusted).</summary>
    private async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        var status = await driver.Supervisor.InspectAsync(paths, cancellationToken);
        if (status.Pid is null)
        {
            throw new DriverException($"VM {paths.VmId} is not running on this node; start it to sync its disk.", isTransient: false);
        }

        var tracking = await driver.TrackingAsync(paths, cancellationToken);
        if (!tracking.Tracking && !tracking.FullSyncRequired)
        {
            throw new DriverException($"VM {paths.VmId}: its writes are not tracked on this node (not checked out here?); nothing to sync from.", isTransient: false);
        }

        // A leftover of a sync this process did not finish (it died): remove it before adding ours.
        await CleanUpAsync(cancellationToken);
        var full = tracking.FullSyncRequired;
        if (tracking.Inconsistent || !tracking.Tracking)
        {
            // The flag first: from here until a full copy succeeds, every sync is a full one, across restarts.
            File.WriteAllText(QemuCheckoutDriver.FullSyncFlag(paths), "");
            if (tracking.Tracking)
            {
                await driver.Supervisor.ExecuteQmpAsync(paths, "block-dirty-bitmap-remove", CheckoutQmp.BitmapRemove(), cancellationToken);
            }

            // A fresh bitmap before the copy starts: writes during the full copy are in it (the copy is point in time).
            await driver.Supervisor.ExecuteQmpAsync(paths, "block-dirty-bitmap-add", CheckoutQmp.BitmapAdd(), cancellationToken);
            driver.Logger.BitmapInconsistent(paths.VmId);
            full = true;
        }

        await driver.Tunnels.OpenOutgoingAsync(
            TunnelKey, target.Host, target.TunnelPort, target.Token, target.TlsHostname, paths.RuntimeDirectory,
            QemuCheckoutDriver.SyncTunnelLevel, driver.NodeTlsDirectory, [MigrationTunnels.SyncChannel]);
        await driver.Supervisor.Confinement.ShareAsync([Socket], cancellationToken);
        await driver.Supervisor.ExecuteQmpAsync(
            paths, "blockdev-add", CheckoutQmp.NbdTarget(CheckoutQmp.SyncTargetNode, Socket, paths.VmId), cancellationToken);
        await driver.Supervisor.ExecuteQmpAsync(
            paths, "blockdev-backup", CheckoutQmp.Backup(CheckoutQmp.SyncJob, CheckoutQmp.SyncTargetNode, incremental: !full, speed), cancellationToken);
        return full;
    }

    /// <summary>Polls the job until it ends; on cancellation cancels it (the bitmap keeps its blocks) and waits for that.</summary>
    private async Task<BackupJob> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var job = await FindAsync(cancellationToken)
                    ?? throw new DriverException($"VM {paths.VmId}: the sync job vanished (QEMU restarted?).", isTransient: true);
                if (job.Ended)
                {
                    return job;
                }

                await Task.Delay(QemuCheckoutDriver.JobPollInterval, driver.Time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            await CancelJobAsync();
            throw;
        }
    }

    private async Task CancelJobAsync()
    {
        using var bounded = new CancellationTokenSource(QemuCheckoutDriver.JobCancelTimeout);
        try
        {
            // Closing the tunnel fails the job's NBD requests at once even when the link is cut; the cancel ends it.
            await driver.Tunnels.CloseOutgoingAsync(TunnelKey);
            await driver.Supervisor.ExecuteQmpAsync(paths, "job-cancel", new() { ["id"] = CheckoutQmp.SyncJob }, bounded.Token);
            while ((await FindAsync(bounded.Token)) is { Ended: false })
            {
                await Task.Delay(QemuCheckoutDriver.JobPollInterval, driver.Time, bounded.Token);
            }
        }
        catch (Exception e) when (e is DriverException or OperationCanceledException)
        {
            // Ended meanwhile, or QEMU is gone: the cleanup that follows removes what is left.
        }
    }

    private async Task<BackupJob?> FindAsync(CancellationToken cancellationToken) =>
        CheckoutQmp.FindJob(await driver.Supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken), CheckoutQmp.SyncJob);

    /// <summary>Dismisses the job, removes the NBD node and closes the tunnel; each step may find nothing (QEMU then
    /// answers with an error, which is fine here).</summary>
    private async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        if ((await driver.Supervisor.InspectAsync(paths, cancellationToken)).Pid is not null)
        {
            if (await FindAsync(cancellationToken) is { } job)
            {
                if (!job.Ended)
                {
                    await CancelJobAsync();
                }

                await TryAsync("job-dismiss", new() { ["id"] = CheckoutQmp.SyncJob }, cancellationToken);
            }

            await TryAsync("blockdev-del", new() { ["node-name"] = CheckoutQmp.SyncTargetNode }, cancellationToken);
        }

        await driver.Tunnels.CloseOutgoingAsync(TunnelKey);
    }

    private async Task TryAsync(string command, System.Text.Json.Nodes.JsonObject arguments, CancellationToken cancellationToken)
    {
        try
        {
            await driver.Supervisor.ExecuteQmpAsync(paths, command, arguments, cancellationToken);
        }
        catch (DriverException e) when (!e.IsTransient)
        {
            // Nothing to clean.
        }
    }
}
