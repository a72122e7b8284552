using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Checkout;
using SkillVL.Core.Errors;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Machines;
using SkillVL.Server.Migrations;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// The background sync of checked-out machines (ADR 0023): every <see cref="CheckoutOptions.SyncInterval"/>, and when
/// asked (<see cref="SyncNowAsync"/>), each checked-out machine whose client and retained node are both reachable gets its
/// changed blocks copied from the client into the retained copy — the retained node exports the copy behind its tunnel,
/// the client dials it (as a NAT'd laptop must) and runs the incremental backup at <see cref="CheckoutOptions.SyncRate"/>,
/// the export is closed. One sync per machine at a time: a second request joins the one running. A failure is logged and
/// the next interval tries again; the client's bitmap keeps every block of a failed sync, so nothing is lost.
/// </summary>
public sealed class CheckoutSyncService(
    IDbContextFactory<SkillVlDbContext> dbFactory,
    NodeRegistry nodes,
    ActiveMigrations active,
    StartupGate gate,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time,
    ILogger<CheckoutSyncService> logger) : BackgroundService
{
    private readonly Dictionary<string, Task<DiskSyncResult>> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    private CheckoutOptions Settings => options.Value.Checkout;

    /// <summary>Syncs the machine now, or joins its sync in flight; the caller's token stops only its own wait.</summary>
    /// <exception cref="DriverException">A node is unreachable, or the sync failed (the message says which).</exception>
    public Task<DiskSyncResult> SyncNowAsync(string machineId, CancellationToken cancellationToken)
    {
        lock (_running)
        {
            if (!_running.TryGetValue(machineId, out var running))
            {
                running = RunAsync(machineId);
                _running[machineId] = running;
            }

            return running.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits until no sync of the machine runs (a check-in waits for one before it starts); bounded by the token.</summary>
    public async Task WaitIdleAsync(string machineId, CancellationToken cancellationToken)
    {
        Task? running;
        lock (_running)
        {
            running = _running.GetValueOrDefault(machineId);
        }

        if (running is not null)
        {
            try
            {
                await running.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Its failure is its own; the caller only waited for it to end.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var stop = stoppingToken.Register(_stopping.Cancel);
        await gate.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Settings.SyncInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            List<string> due;
            await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
            {
                due = await db.Machines.AsNoTracking().Where(m => m.CheckoutNode != null).Select(m => m.Id).ToListAsync(stoppingToken);
            }

            foreach (var id in due.Where(id => !active.IsMigrating(id)))
            {
                try
                {
                    await SyncNowAsync(id, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    CheckoutLog.SyncFailed(logger, id, e);
                }
            }
        }
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    private async Task<DiskSyncResult> RunAsync(string machineId)
    {
        await Task.Yield();
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            bound.CancelAfter(Settings.SyncTimeout);
            return await SyncAsync(machineId, bound.Token);
        }
        finally
        {
            lock (_running)
            {
                _running.Remove(machineId);
            }
        }
    }

    private async Task<DiskSyncResult> SyncAsync(string machineId, CancellationToken ct)
    {
        MachineEntity machine;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            machine = await db.Machines.AsNoTracking().FirstOrDefaultAsync(m => m.Id == machineId, ct)
                ?? throw new DriverException($"Machine {machineId} is gone.", isTransient: false);
        }

        if (machine is not { CheckoutNode: { } clientName, CheckoutRetainedOn: { } retainedName })
        {
            throw new DriverException($"{machine.Name} is not checked out.", isTransient: false);
        }

        if (active.IsMigrating(machineId))
        {
            throw new DriverException($"{machine.Name} is migrating: its sync waits for the next interval.", isTransient: true);
        }

        var client = Reachable(clientName);
        var retained = Reachable(retainedName);
        var export = await retained.ExportRetainedAsync(machineId, ReverseMigration.ListenAddress(nodes.Find(retainedName)!), ct);
        DiskSyncResult result;
        try
        {
            result = await client.SyncAsync(machineId, export, Settings.Rate, ct);
        }
        finally
        {
            try
            {
                using var close = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                await retained.CloseRetainedExportAsync(machineId, close.Token);
            }
            catch (Exception e)
            {
                CheckoutLog.CloseFailed(logger, machineId, retainedName, e);
            }
        }

        long? unsynced = null;
        try
        {
            unsynced = (await client.GetTrackingAsync(machineId, ct)).DirtyBytes;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            CheckoutLog.SyncFailed(logger, machineId, e);
        }

        var now = time.GetUtcNow();
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            // Only while the same check-out lasts: a check-in that landed meanwhile has cleared it.
            await db.Machines.Where(m => m.Id == machineId && m.CheckoutNode == clientName).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.CheckoutLastSyncAt, now)
                .SetProperty(m => m.CheckoutSyncedBytes, m => m.CheckoutSyncedBytes + result.BytesCopied)
                .SetProperty(m => m.CheckoutUnsyncedBytes, unsynced), CancellationToken.None);
        }

        CheckoutLog.Synced(logger, machine.Name, result.BytesCopied, clientName, retainedName, result.Elapsed.TotalMilliseconds, result.FullCopy, unsynced);
        return result;
    }

    private IVmCheckoutDriver Reachable(string name) =>
        nodes.Find(name) is { } node && nodes.IsReachable(node)
            ? node.Checkouts ?? throw new DriverException($"Node {name} has no check-out calls (an older agent).", isTransient: false)
            : throw new DriverException($"Node {name} is not reachable: the sync waits until it is.", isTransient: true);
}
