using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Compute;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes;
using SkillVL.Server.Checkouts;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Machines;
using SkillVL.Server.Nodes;
using SkillVL.Server.Reconciliation;

namespace SkillVL.Server.Migrations;

/// <summary>
/// Carries out migrations, one task each: prepare → transfer disk → live copy RAM → switch over → finalize (Proxmox's
/// <c>AbstractMigrate</c>). Before the switch-over any failure or cancel runs the cleanup — cancel on the source (the
/// guest keeps running there), abort on the target (its half-made VM and files go) — each step attempted even when
/// another failed, and a final cleanup always runs (the machine is handed back to the reconciler). The decisions are
/// <see cref="MigrationPolicy"/>'s; this only carries them out. Runs survive nothing: a restarted Server marks what
/// was running as failed and cleans it up (<see cref="RecoverAsync"/>).
/// </summary>
public sealed class MigrationRunner(
    IDbContextFactory<SkillVlDbContext> dbFactory,
    NodeRegistry nodes,
    ActiveMigrations active,
    ReconcileLoop reconciler,
    ReconcileTrigger trigger,
    StartupGate gate,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time,
    ILogger<MigrationRunner> logger) : BackgroundService
{
    /// <summary>QEMU's own defaults (migration/options.c), the baseline <c>tuning: qemu-defaults</c> runs with: 128 MiB/s,
    /// 300 ms, no multifd, compression, xbzrle or auto-converge — what Proxmox's <c>qm migrate --online</c> leaves them at.</summary>
    public static readonly DataRate QemuDefaultMaxBandwidth = DataRate.FromMebibytesPerSecond(128);

    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly List<(string Id, ActiveMigrations.Entry Entry, string Phase)> _recovered = [];
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);

    private MigrationOptions Settings => options.Value.Migration;

    /// <summary>Starts the migration's run as soon as the runner is up.</summary>
    public void Enqueue(string migrationId) => _queue.Writer.TryWrite(migrationId);

    /// <summary>A user's cancel: the run stops at its next call and cleans up.</summary>
    public void Cancel(string migrationId) => active.ForMigration(migrationId)?.Cancel.Cancel();

    /// <summary>The runs in flight (tests wait for them).</summary>
    public Task WhenIdleAsync()
    {
        lock (_running)
        {
            return Task.WhenAll(_running.Values);
        }
    }

    /// <summary>
    /// At start, before the reconciler's first pass: migrations the database says were pending or running belonged to
    /// a previous process. Those before the switch-over are marked failed and listed as active (so the reconciler keeps
    /// off) until their cleanup ran; one that was finalizing had already moved the machine, so it is marked succeeded
    /// and the reconciler's orphan sweep removes the source's copy.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var left = await db.Migrations.Where(m => m.State == MigrationStates.Pending || m.State == MigrationStates.Running).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var migration in left)
        {
            migration.FinishedAt = now;
            if (migration.Phase == MigrationPhases.Finalize)
            {
                migration.State = MigrationStates.Succeeded;
                migration.Error = "The Server restarted while finalizing: the machine runs on the target; the reconciler removes the source's copy. Metrics are incomplete.";
            }
            else
            {
                migration.State = MigrationStates.Failed;
                migration.Error = $"The Server restarted during {migration.Phase}; cleaned up: the machine stays on {migration.SourceNode}.";
                var entry = new ActiveMigrations.Entry(migration.Id, migration.MachineId, migration.RoomId, migration.SourceNode, migration.TargetNode, new CancellationTokenSource());
                if (active.TryAdd(entry))
                {
                    _recovered.Add((migration.Id, entry, migration.Phase));
                }
            }

            db.MigrationLog.Add(new MigrationLogEntity { MigrationId = migration.Id, At = now, Message = migration.Error });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await gate.WaitAsync(stoppingToken);
        foreach (var (id, entry, phase) in _recovered)
        {
            Track(id, Task.Run(() => RecoverCleanupAsync(id, entry, phase, stoppingToken), CancellationToken.None));
        }

        // Requests made before the runner was up (none normally) and since.
        await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
        {
            foreach (var id in await db.Migrations.Where(m => m.State == MigrationStates.Pending).Select(m => m.Id).ToListAsync(stoppingToken))
            {
                Enqueue(id);
            }
        }

        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                lock (_running)
                {
                    if (_running.ContainsKey(id))
                    {
                        continue;
                    }
                }

                Track(id, Task.Run(() => RunAsync(id, stoppingToken), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: runs end with their cleanup (bounded by CleanupTimeout).
        }

        await Task.WhenAny(WhenIdleAsync(), Task.Delay(Settings.CleanupTimeout, time, CancellationToken.None));
    }

    private void Track(string id, Task run)
    {
        lock (_running)
        {
            _running[id] = run;
        }

        _ = run.ContinueWith(_ =>
        {
            lock (_running)
            {
                _running.Remove(id);
            }
        }, TaskScheduler.Default);
    }

    /// <summary>One migration from pending to its end. Never throws: every outcome is written to its row.</summary>
    internal async Task RunAsync(string migrationId, CancellationToken stoppingToken)
    {
        MigrationEntity migration;
        MachineEntity? machine;
        RoomEntity? room;
        await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
        {
            migration = await db.Migrations.AsNoTracking().FirstAsync(m => m.Id == migrationId, stoppingToken);
            room = await db.ReadRooms().FirstOrDefaultAsync(r => r.Id == migration.RoomId, stoppingToken);
            machine = room?.Machines.FirstOrDefault(m => m.Id == migration.MachineId);
        }

        if (migration.State != MigrationStates.Pending)
        {
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var entry = new ActiveMigrations.Entry(migration.Id, migration.MachineId, migration.RoomId, migration.SourceNode, migration.TargetNode, cancel);
        if (!active.TryAdd(entry))
        {
            await FinishAsync(migration.Id, MigrationStates.Failed, "Another migration of this machine is being worked on.", null, CancellationToken.None);
            return;
        }

        var run = new Run(migration, time.GetTimestamp());
        // The final state is written last, once the machine is free again (below): a client that sees the migration
        // final may at once start the next one (a check-in after a check-out) and must not meet this one's hold.
        (string State, string? Error) final = (MigrationStates.Failed, "The migration ended on an unexpected error; see the Server's log.");
        try
        {
            try
            {
                if (room is null || machine is null || room.DeletionRequested)
                {
                    throw new MigrationAbortedException("The machine or its room was deleted before the migration started.");
                }

                var source = nodes.Find(migration.SourceNode) ?? throw new MigrationAbortedException($"Node {migration.SourceNode} is gone.");
                var target = nodes.Find(migration.TargetNode) ?? throw new MigrationAbortedException($"Node {migration.TargetNode} is gone.");
                await UpdateAsync(migration.Id, m =>
                {
                    m.State = MigrationStates.Running;
                    m.StartedAt = time.GetUtcNow();
                    m.Phase = MigrationPhases.Prepare;
                }, CancellationToken.None);
                await SetMachineStateAsync(machine.Id, MachineStates.Migrating, null, CancellationToken.None);
                if (await IsCancelRequestedAsync(migration.Id))
                {
                    cancel.Cancel();
                }

                await LiveAsync(run, room, machine, source, target, cancel.Token, stoppingToken);
                final = (MigrationStates.Succeeded, run.Note);
            }
            catch (Exception e)
            {
                // A user's cancel stops whatever call was in flight; whatever that call threw, the cancel is the reason.
                var cancelled = cancel.IsCancellationRequested && !stoppingToken.IsCancellationRequested;
                var reason = cancelled ? "Cancelled by the user."
                    : stoppingToken.IsCancellationRequested ? "The Server is shutting down."
                    : e.Message;
                if (!cancelled)
                {
                    MigrationLog.Failed(logger, migration.Id, e);
                }

                if (run.PostCopy)
                {
                    reason += " Post-copy had started: the guest ran on the target with part of its memory on the source, so it could not be called back; check the machine.";
                }
                else if (!run.Moved)
                {
                    await LogAsync(migration.Id, $"{run.Phase} stopped: {reason} Cleaning up; the machine stays on {migration.SourceNode}.");
                    await CleanupAsync(migration, run.TargetTouched);
                }

                final = (cancelled ? MigrationStates.Cancelled : MigrationStates.Failed, reason);
            }
        }
        finally
        {
            try
            {
                // The final cleanup, always: the peer's ping ends; the machine goes back to the reconciler, which observes it
                // afresh (its state word included) on its next pass, and keeps the room's networks only where its machines are.
                if (run.Probe is { } probe)
                {
                    await StopPeerProbeAsync(run, probe);
                }

                if (machine is not null)
                {
                    await SetMachineStateAsync(machine.Id, MachineStates.Running, MachineStates.Migrating, CancellationToken.None);
                }

                await FinishAsync(migration.Id, final.State, final.Error, run, CancellationToken.None);
            }
            finally
            {
                active.Remove(entry);
                trigger.Poke();
            }
        }
    }

    /// <summary>A migration's disk transfer once the plan found both nodes in one Ceph pool (ADR 0055): nothing crossed.</summary>
    public const string SharedDiskTransfer = "shared";

    private async Task LiveAsync(Run run, RoomEntity room, MachineEntity machine, INodeAgent source, INodeAgent target, CancellationToken ct, CancellationToken stoppingToken)
    {
        var migration = run.Migration;
        var limits = MigrationJson.Read<MigrationLimits>(migration.LimitsJson);
        var networks = room.Networks.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var spec = MachineSpecs.ToSpec(machine, networks, room.Name, MachineSpecs.CloudInitOf(room).GetValueOrDefault(machine.Name));
        // Nodes that open the same Ceph pool move RAM only, whatever transfer was asked (ADR 0055): there is nothing to copy.
        var shared = NodeStorage.SharesDisks(source.Facts.Storage, target.Facts.Storage);
        var disk = shared ? DiskTransfer.Shared : migration.DiskTransfer switch
        {
            "full" => DiskTransfer.Full,
            CheckoutRules.Incremental => DiskTransfer.Incremental,
            _ => DiskTransfer.Overlay,
        };

        // Prepare: the measurements (the VM on the source, the link between the nodes), the plan, the room's networks on the
        // target (with VXLAN peers both ways), the target waiting, the mirror.
        var (link, linkSource) = await ResolveLinkAsync(migration, source, target, ct);
        var features = source.Migrations.Features & target.Migrations.Features;
        var reverse = ReverseMigration.TargetDialsOut(target);
        CheckoutFinish.Require(migration, source, target);
        if (reverse)
        {
            ReverseMigration.RequireTunnel(features, source, target);
        }
        string? templateSha = machine.TemplateSha256;
        long baseSize;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            baseSize = await db.Templates.AsNoTracking().Where(t => t.Sha256 == templateSha).Select(t => t.SizeBytes).FirstOrDefaultAsync(ct);
        }

        var targetHasBase = (await target.Templates.ListAsync(ct)).Any(t => t.Sha256 == templateSha);
        var measured = await MeasureVmAsync(migration, source, machine.Id, ct);
        var profile = new VmMigrationProfile
        {
            // The machine's RAM and its template from the database; the dirty rate and the overlay's size as the source
            // measured them just now (an idle guest and an empty overlay when it could not: Decide then corrects course
            // from QEMU's own numbers once RAM moves).
            MemoryBytes = machine.MemoryBytes,
            BaseImageBytes = baseSize,
            TargetHasBase = shared || (disk != DiskTransfer.Full && targetHasBase),
            SharedDisk = shared,
            DirtyRate = measured?.DirtyRate ?? DataRate.Zero,
            OverlayBytes = shared ? 0 : measured?.OverlayBytes ?? 0,
        };
        run.Parameters = migration.Tuning != "qemu-defaults" ? MigrationPolicy.Plan(link, profile, limits, features, targetDialsOut: reverse)
            : reverse ? ReverseMigration.ThroughTheTunnel(QemuDefaults(link, profile, limits)) : QemuDefaults(link, profile, limits);
        await UpdateAsync(migration.Id, m =>
        {
            m.LinkJson = MigrationJson.Write(link);
            m.LinkSource = linkSource;
            m.ParametersJson = MigrationJson.Write(run.Parameters);
            if (shared)
            {
                // What happened, for the migration's view: nothing of the disk crossed.
                m.DiskTransfer = SharedDiskTransfer;
            }
        }, ct);
        await LogAsync(migration.Id, $"Prepare: link {link.Bandwidth}, RTT {link.RoundTripTime.TotalMilliseconds:0.#} ms ({linkSource}); " +
            $"plan ({migration.Tuning}): max-bandwidth {run.Parameters.MaxBandwidth}, downtime-limit {run.Parameters.DowntimeLimit.TotalMilliseconds:0} ms, " +
            $"multifd {run.Parameters.MultifdChannels}, {run.Parameters.Compression}, transport {run.Parameters.Transport.ToString().ToLowerInvariant()}" +
            (run.Parameters.Transport == MigrationTransport.Tunnel ? $" (zstd {run.Parameters.TunnelCompressionLevel})" : "") + $"; the model expects {run.Parameters.Prediction.TotalTime.TotalSeconds:0.#} s, " +
            $"{run.Parameters.Prediction.Downtime.TotalMilliseconds:0} ms pause.");

        await reconciler.EnsureRoomNetworksAsync(room.Id, target.Facts.Name, ct);
        run.TargetTouched = true;
        var offline = migration.Mode == MigrationService.Offline;
        // A live guest keeps its boot on the target (it does not boot again), so the reconciler does not configure it again.
        // Reverse: the source's rendezvous first; the target dials it (nothing listens on a client).
        var dial = reverse ? ReverseMigration.NamedByNode(await source.Migrations.OpenOutgoingRendezvousAsync(migration.Id, machine.Id, ListenAddress(source), ct), source) : null;
        var request = new IncomingMigrationRequest(migration.Id, spec, ListenAddress(target), disk, DiskVirtualSizeBytes: 0, run.Parameters, migration.Tls, offline,
            BootId: offline ? null : machine.ConfiguredBootId, DialSource: dial);
        IncomingMigration prepared;
        try
        {
            // A node that keeps its templates apart from the Server's provisions the template first (ADR 0036).
            prepared = await target.Migrations.PrepareIncomingAsync(request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new MigrationAbortedException($"Target node {target.Facts.Name} could not prepare: {e.Message}", e);
        }

        run.BaseBytes = prepared.BaseBytesFetched;
        await LogAsync(migration.Id, (prepared.DialsSource
                ? $"Target {target.Facts.Name} dials the migration rendezvous of {source.Facts.Name} on {dial?.Host}:{dial?.Port} (nothing listens on the client)"
                : $"Target {target.Facts.Name} waits on {prepared.Host} ") +
            (prepared.DialsSource ? ""
            : prepared.TunnelPort > 0
                ? $"(its migration tunnel on port {prepared.TunnelPort})"
                : $"(migration port {prepared.MigrationPort}, NBD {prepared.NbdPort})") +
            (prepared.BaseBytesFetched > 0 ? $"; it fetched the template first ({prepared.BaseBytesFetched} bytes)." : "."));
        await source.Migrations.StartDiskMirrorAsync(new OutgoingMigrationRequest(migration.Id, machine.Id, prepared, disk, run.Parameters, migration.Tls, offline), ct);

        // Transfer disk: until the mirror is in sync.
        await EnterPhaseAsync(run, MigrationPhases.TransferDisk, shared
            ? $"Transfer disk: nothing to copy, {source.Facts.Name} and {target.Facts.Name} open the same image in {NodeStorage.Describe(source.Facts.Storage)}."
            : "Transfer disk: mirroring to the target.");
        var status = await PollUntilAsync(run, source, machine.Id, s => s.State is OutgoingMigrationState.DiskReady or OutgoingMigrationState.MigratingRam
            or OutgoingMigrationState.PostCopy or OutgoingMigrationState.Completed, limits, ct);

        // Live copy RAM: QEMU pre-copy; every sample goes to the policy.
        await EnterPhaseAsync(run, MigrationPhases.LiveCopyRam, $"Disk in sync ({status.DiskBytesDone} bytes); live copy RAM.");
        if (!offline && migration.ProbeDowntimeMs is null && Settings.PeerProbe)
        {
            await StartPeerProbeAsync(run, room, machine, ct);
        }

        if (status.State == OutgoingMigrationState.DiskReady)
        {
            // What the guest can give back need not cross the link (ADR 0032): best effort, bounded, in the log.
            if (!offline && (migration.Purpose == CheckoutRules.Checkin ? Settings.ReclaimGuestRamOnCheckin : Settings.ReclaimGuestRamOnMoves))
            {
                await LogAsync(migration.Id, await GuestRamReclaim.RunAsync(source.Vms, machine.Id, Settings.ReclaimGuestRamTimeout, ct));
            }

            await source.Migrations.StartRamMigrationAsync(machine.Id, ct);
        }

        status = await PollUntilAsync(run, source, machine.Id, s => s.State == OutgoingMigrationState.Completed, limits, ct);

        // Switch over: past this point the user's cancel no longer applies (the guest is paused on the source, its
        // state on the target); a failure here still runs the cleanup, which resumes the guest on the source.
        await EnterPhaseAsync(run, MigrationPhases.SwitchOver, "RAM and device state are on the target; switching over.");
        await source.Migrations.CompleteOutgoingAsync(machine.Id, stoppingToken);
        try
        {
            // A check-out's tracking starts before the guest's first instruction on the client (ADR 0021, 0023).
            await CheckoutFinish.BeforeResumeAsync(migration, target, machine.Id, stoppingToken);
            await target.Migrations.CompleteIncomingAsync(machine.Id, stoppingToken);
            if (offline)
            {
                // The guest never ran (paused from its first instruction on both nodes): stopped again, now on the target.
                await target.Vms.StopAsync(machine.Id, StopMode.Hard, TimeSpan.Zero, stoppingToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The target did not resume: the cleanup removes its VM, and the source's guest (paused, its disk untouched
            // since the mirror ended) runs again.
            throw new MigrationAbortedException($"Target node {target.Facts.Name} could not resume the guest ({e.Message}); it goes back to running on {source.Facts.Name}.", e);
        }

        var resumedAt = time.GetTimestamp();
        if (!offline && machine.ConfiguredBootId is not null && Settings.GuestCheckTimeout > TimeSpan.Zero)
        {
            await CheckGuestOnTargetAsync(run, machine.Id, source, target, shared, stoppingToken);
        }

        run.Moved = true;

        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            await db.Machines.Where(m => m.Id == machine.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.NodeName, target.Facts.Name)
                .SetProperty(m => m.ObservedState, offline ? MachineStates.Stopped : MachineStates.Running), CancellationToken.None);
            await CheckoutFinish.RecordAsync(db, migration, time.GetUtcNow(), CancellationToken.None);
        }

        await EnterPhaseAsync(run, MigrationPhases.Finalize, offline
            ? $"The machine is on {target.Facts.Name}, stopped; removing it from {source.Facts.Name}."
            : $"The guest runs on {target.Facts.Name}; removing it from {source.Facts.Name}.");
        run.Downtime = status.Downtime;
        run.RamBytes = status.RamBytesTotalTransferred;
        run.DiskBytes = status.DiskBytesDone;
        run.TotalTime = time.GetElapsedTime(run.StartedAt);
        trigger.Poke();

        // Finalize: the source's copy (paused, mirror detached) goes — or, for a check-out, becomes the retained copy; if
        // deleting fails, the reconciler's orphan sweep takes it.
        try
        {
            using var bound = new CancellationTokenSource(Settings.CleanupTimeout);
            if (!await CheckoutFinish.RetainAsync(migration, source, machine.Id, bound.Token))
            {
                await source.Vms.DeleteAsync(machine.Id, bound.Token);
            }
        }
        catch (Exception e) when (migration.Purpose == CheckoutRules.Checkout)
        {
            run.Note = await NotRetainedAsync(migration, source, machine.Id, e);
        }
        catch (Exception e)
        {
            await LogAsync(migration.Id, $"Removing the source's copy failed ({e.Message}); the reconciler's orphan sweep removes it.");
        }

        if (run.Probe is { } probe)
        {
            // The peer's replies come back once the room's network follows the guest; give them a moment before reading.
            var settle = Settings.PeerProbeSettle - time.GetElapsedTime(resumedAt);
            if (settle > TimeSpan.Zero)
            {
                await Task.Delay(settle, time, CancellationToken.None);
            }

            await StopPeerProbeAsync(run, probe);
        }

        var tunnel = status.TunnelBytes > 0 ? $"; {status.TunnelBytes} bytes crossed the link in the compressing tunnel" : "";
        await LogAsync(migration.Id, $"Done in {run.TotalTime.TotalSeconds:0.##} s; downtime {run.Downtime?.TotalMilliseconds:0.#} ms; RAM {run.RamBytes} bytes, disk {run.DiskBytes} bytes, base {run.BaseBytes} bytes{tunnel}.");
    }

    /// <summary>
    /// A check-out whose source could not keep the retained copy becomes a plain move (ADR 0023): the guest runs on the
    /// client and stays; the recorded check-out is taken back; whatever the source kept is released and its leftover
    /// deleted as after a move (the reconciler's orphan sweep takes it if that fails too). Returns the migration's note.
    /// </summary>
    private async Task<string> NotRetainedAsync(MigrationEntity migration, INodeAgent source, string vmId, Exception reason)
    {
        CheckoutLog.NotRetained(logger, $"{migration.RoomName}/{migration.MachineName}", migration.Id, source.Facts.Name, migration.TargetNode, reason);
        string note;
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            note = await CheckoutFinish.ForgetAsync(db, migration, reason, CancellationToken.None);
        }

        await LogAsync(migration.Id, note);
        try
        {
            // RetainAsync may have got as far as keeping the copy before it failed; a copy no check-out refers to would
            // stay on the node for ever (nothing else releases it).
            using var bound = new CancellationTokenSource(Settings.CleanupTimeout);
            if (source.Checkouts is { } checkouts)
            {
                await checkouts.ReleaseRetainedAsync(vmId, bound.Token);
            }

            await source.Vms.DeleteAsync(vmId, bound.Token);
        }
        catch (Exception e)
        {
            await LogAsync(migration.Id, $"Removing the source's copy failed ({e.Message}); the reconciler's orphan sweep removes it.");
        }

        return note;
    }

    /// <summary>
    /// The guest answers its agent on the target, or the move is taken back before anything is committed: the target's copy
    /// goes here, first (its MAC leaves the room's network; the target's abort would refuse a VM whose incoming migration
    /// completed), then the failure's usual cleanup cancels on the source, which resumes the guest there — paused since the
    /// switch-over, its disk untouched since the mirror ended. What the guest did on the target in between is lost with it;
    /// a guest that does not answer there has stopped working anyway.
    /// </summary>
    private async Task CheckGuestOnTargetAsync(Run run, string vmId, INodeAgent source, INodeAgent target, bool shared, CancellationToken stoppingToken)
    {
        var clock = time.GetTimestamp();
        bool answered;
        try
        {
            answered = await target.Vms.GuestPingAsync(vmId, Settings.GuestCheckTimeout, stoppingToken);
        }
        catch (Core.Errors.SkillVlException e)
        {
            await LogAsync(run.Migration.Id, $"Guest check on {target.Facts.Name}: {e.Message}");
            answered = false;
        }

        var waited = time.GetElapsedTime(clock);
        if (answered)
        {
            await LogAsync(run.Migration.Id, FormattableString.Invariant(
                $"Guest check: the guest's agent answered on {target.Facts.Name} {waited.TotalSeconds:0.0} s after it resumed."));
            return;
        }

        if (shared)
        {
            // Both nodes open one image (ADR 0055): the guest has run on the target and may have written to it, so the
            // source's paused guest, whose page cache predates those writes, must not run again. The move stands.
            await LogAsync(run.Migration.Id, FormattableString.Invariant(
                $"Guest check: the guest's agent did not answer on {target.Facts.Name} within {waited.TotalSeconds:0.#} s of resuming; ") +
                "the move is not taken back: the disk is shared and the guest may have written to it there (see the node's serial log).");
            return;
        }

        await LogAsync(run.Migration.Id, FormattableString.Invariant(
            $"Guest check: the guest's agent did not answer on {target.Facts.Name} within {waited.TotalSeconds:0.#} s of resuming; ") +
            $"taking the move back: removing the target's copy and resuming the guest on {source.Facts.Name}.");
        try
        {
            using var bound = new CancellationTokenSource(Settings.CleanupTimeout);
            await target.Vms.DeleteAsync(vmId, bound.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The guest is not working there; it still goes back to the source, and the reconciler's orphan sweep removes
            // the target's copy (the machine stays on the source).
            await LogAsync(run.Migration.Id, $"Removing the target's copy failed ({e.Message}); the reconciler's orphan sweep removes it.");
        }

        run.TargetTouched = false; // removed above: the failure's cleanup only resumes the source
        throw new MigrationAbortedException(
            $"The guest did not answer its agent on {target.Facts.Name} within {Settings.GuestCheckTimeout.TotalSeconds:0} s after the switch-over " +
            $"(its kernel may have crashed there; see the node's serial log); the move was taken back and it runs on {source.Facts.Name} again.");
    }

    /// <summary>Polls the source until <paramref name="done"/>; a failed, cancelled or lost migration throws.</summary>
    private async Task<OutgoingMigrationStatus> PollUntilAsync(
        Run run, INodeAgent source, string vmId, Func<OutgoingMigrationStatus, bool> done, MigrationLimits limits, CancellationToken ct)
    {
        var failures = 0;
        var moved = -1L;
        var lastMove = time.GetTimestamp();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            OutgoingMigrationStatus status;
            try
            {
                status = await source.Migrations.GetOutgoingStatusAsync(vmId, ct);
                failures = 0;
            }
            catch (Core.Errors.SkillVlException e) when (e.IsTransient && ++failures < Settings.MaxConsecutivePollFailures)
            {
                // A source that cannot even say where it is (its QEMU blocked on a connection nobody answers) counts
                // as no progress too.
                if (time.GetElapsedTime(lastMove) >= Settings.StallTimeout)
                {
                    throw new MigrationAbortedException(
                        $"No byte moved for {Settings.StallTimeout.TotalSeconds:0.#} s and the source does not answer ({e.Message}): the link to the target or the target itself is not answering.");
                }

                await Task.Delay(Settings.PollInterval, time, ct);
                continue;
            }

            switch (status.State)
            {
                case OutgoingMigrationState.Failed:
                    throw new MigrationAbortedException($"The source reported a failure: {status.Error ?? "no reason given"}");
                case OutgoingMigrationState.Cancelled:
                    throw new MigrationAbortedException("The source's migration was cancelled on the node.");
                case OutgoingMigrationState.None:
                    throw new MigrationAbortedException($"Node {source.Facts.Name} knows no migration of this machine any more (its agent restarted?).");
            }

            run.PostCopy |= status.State == OutgoingMigrationState.PostCopy;
            await ProgressAsync(run, status, ct);
            if (done(status))
            {
                return status;
            }

            // A cut link or a frozen target raises no error for minutes; it shows as bytes that stop moving. Through the
            // tunnel, its count of bytes on the link stops at once, while QEMU's own count goes on until the buffers
            // between QEMU and the link are full (megabytes of uncompressed data on a slow link).
            var bytes = status.TunnelBytes > 0 ? status.TunnelBytes : status.DiskBytesDone + (status.Ram?.TransferredBytes ?? 0);
            if (bytes != moved)
            {
                moved = bytes;
                lastMove = time.GetTimestamp();
            }
            else if (time.GetElapsedTime(lastMove) >= Settings.StallTimeout)
            {
                throw new MigrationAbortedException(
                    $"No byte moved for {Settings.StallTimeout.TotalSeconds:0.#} s ({moved} bytes so far): the link to the target or the target itself is not answering.");
            }

            var elapsed = time.GetElapsedTime(run.StartedAt);
            if (status.Ram is { } ram && status.State is OutgoingMigrationState.MigratingRam or OutgoingMigrationState.PostCopy)
            {
                await DecideAsync(run, source, vmId, limits, ram with { Elapsed = elapsed }, ct);
            }
            else if (limits.MaxTotalTime is { } max && elapsed >= max)
            {
                throw new MigrationAbortedException($"The migration has run {elapsed.TotalSeconds:0} s, reaching the {max.TotalSeconds:0} s limit, before RAM could move.");
            }

            await Task.Delay(Settings.PollInterval, time, ct);
        }
    }

    private async Task DecideAsync(Run run, INodeAgent source, string vmId, MigrationLimits limits, MigrationProgress ram, CancellationToken ct)
    {
        // One line per pre-copy pass, like Proxmox's migration log: what the policy decides from is there to read after.
        if (ram.Iteration > run.LoggedPass && ram.Iteration >= MigrationPolicy.MinIterationsToJudge)
        {
            run.LoggedPass = ram.Iteration;
            await LogAsync(run.Migration.Id, FormattableString.Invariant(
                $"Pass {ram.Iteration}: {ram.RemainingBytes / 1048576.0:0.#} MiB left, {ram.TransferRate.MebibytesPerSecond:0.#} MiB/s sent, ") +
                FormattableString.Invariant($"{ram.DirtyRate.MebibytesPerSecond:0.#} MiB/s dirtied, vCPU throttle {ram.ThrottlePercent} %, {ram.Elapsed.TotalSeconds:0.#} s in."));
        }

        if (run.Migration.Tuning == "qemu-defaults")
        {
            // The baseline leaves QEMU alone; only the user's time limit ends it.
            if (limits.MaxTotalTime is { } max && ram.Elapsed >= max)
            {
                throw new MigrationAbortedException($"The migration has run {ram.Elapsed.TotalSeconds:0} s, reaching the {max.TotalSeconds:0} s limit.");
            }

            return;
        }

        var decision = MigrationPolicy.Decide(run.Parameters!, limits, ram);
        switch (decision.Action)
        {
            case MigrationAction.Continue:
                return;
            case MigrationAction.Abort:
                await LogAsync(run.Migration.Id, "Policy: " + decision.Reason);
                throw new MigrationAbortedException(decision.Reason);
            default:
                await source.Migrations.ApplyDecisionAsync(vmId, decision, ct);
                run.Parameters = decision.ApplyTo(run.Parameters!);
                await LogAsync(run.Migration.Id, $"Policy: {decision.Action}: {decision.Reason}" + (decision.Risk is { } risk ? $" Risk: {risk}" : ""));
                await UpdateAsync(run.Migration.Id, m => m.ParametersJson = MigrationJson.Write(run.Parameters), ct);
                return;
        }
    }

    private async Task ProgressAsync(Run run, OutgoingMigrationStatus status, CancellationToken ct)
    {
        long done, total;
        double rate;
        var now = time.GetTimestamp();
        if (status.Ram is { } ram && status.State is not OutgoingMigrationState.MirroringDisk and not OutgoingMigrationState.DiskReady)
        {
            (done, total, rate) = (ram.TransferredBytes, ram.TransferredBytes + ram.RemainingBytes, ram.TransferRate.BytesPerSecond * 8.0);
        }
        else
        {
            (done, total) = (status.DiskBytesDone, status.DiskBytesTotal);
            var seconds = run.LastSampleAt is { } last ? time.GetElapsedTime(last, now).TotalSeconds : 0;
            rate = seconds > 0 && done >= run.LastBytesDone ? (done - run.LastBytesDone) * 8.0 / seconds : run.LastRate;
        }

        (run.LastSampleAt, run.LastBytesDone, run.LastRate) = (now, done, rate);
        double? eta = rate > 0 ? Math.Max(0, total - done) * 8.0 / rate : null;
        // One write a second is enough for the API and the event stream; phase changes write at once.
        if (run.LastWriteAt is { } written && time.GetElapsedTime(written, now) < TimeSpan.FromSeconds(1))
        {
            return;
        }

        run.LastWriteAt = now;
        await UpdateAsync(run.Migration.Id, m =>
        {
            m.BytesDone = done;
            m.BytesTotal = total;
            m.RateBitsPerSecond = rate;
            m.EtaSeconds = eta;
            m.DiskBytes = status.DiskBytesDone;
            m.RamBytes = status.RamBytesTotalTransferred;
        }, ct);
    }

    /// <summary>Cancel on the source, abort on the target: each attempted, each logged, each bounded.</summary>
    private async Task CleanupAsync(MigrationEntity migration, bool targetTouched)
    {
        var steps = new List<(string Name, Func<CancellationToken, Task> Step)>
        {
            ($"cancel on source {migration.SourceNode}", ct => Node(migration.SourceNode).Migrations.CancelOutgoingAsync(migration.MachineId, ct)),
        };
        if (targetTouched)
        {
            steps.Add(($"abort on target {migration.TargetNode}", ct => Node(migration.TargetNode).Migrations.AbortIncomingAsync(migration.MachineId, ct)));
        }

        foreach (var (name, step) in steps)
        {
            try
            {
                using var bound = new CancellationTokenSource(Settings.CleanupTimeout);
                await step(bound.Token);
                await LogAsync(migration.Id, $"Cleanup: {name}: done.");
            }
            catch (Exception e)
            {
                MigrationLog.CleanupFailed(logger, migration.Id, name, e);
                await LogAsync(migration.Id, $"Cleanup: {name} failed: {e.Message}");
            }
        }
    }

    private INodeAgent Node(string name) =>
        nodes.Find(name) ?? throw new Core.Errors.DriverException($"Node {name} is not known any more.", isTransient: false);

    /// <summary>After a restart: the cleanup of a run a previous process left, retried while its nodes are unreachable.</summary>
    private async Task RecoverCleanupAsync(string id, ActiveMigrations.Entry entry, string phase, CancellationToken stoppingToken)
    {
        try
        {
            MigrationEntity migration;
            await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
            {
                migration = await db.Migrations.AsNoTracking().FirstAsync(m => m.Id == id, stoppingToken);
            }

            var until = time.GetUtcNow() + Settings.RecoveryWindow;
            while (!stoppingToken.IsCancellationRequested)
            {
                var source = nodes.Find(migration.SourceNode);
                var target = nodes.Find(migration.TargetNode);
                if ((source is null || nodes.IsReachable(source)) && (target is null || nodes.IsReachable(target)))
                {
                    await CleanupAsync(migration, targetTouched: phase != MigrationPhases.Pending);
                    break;
                }

                if (time.GetUtcNow() > until)
                {
                    await LogAsync(id, "Cleanup after the restart gave up: a node stayed unreachable; the reconciler takes the machine back (its orphan sweep removes the target's VM once that node returns).");
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            MigrationLog.RecoveryFailed(logger, id, e);
        }
        finally
        {
            await SetMachineStateAsync(entry.MachineId, MachineStates.Running, MachineStates.Migrating, CancellationToken.None);
            active.Remove(entry);
            trigger.Poke();
        }
    }

    /// <summary>
    /// The source's measurement of the VM (dirty rate, overlay bytes), logged; null when it failed — a migration does not
    /// need it to run, only to be planned well, so the reason is logged and the plan assumes an idle guest.
    /// </summary>
    private async Task<VmMigrationMeasurement?> MeasureVmAsync(MigrationEntity migration, INodeAgent source, string vmId, CancellationToken ct)
    {
        try
        {
            var measured = await source.Migrations.MeasureAsync(vmId, Settings.DirtyRateSample, ct);
            await LogAsync(migration.Id, $"Prepare: measured dirty rate {measured.DirtyRate.MebibytesPerSecond:0.#} MiB/s " +
                (measured.Sample > TimeSpan.Zero ? $"(sampled {measured.Sample.TotalSeconds:0.#} s)" : "(not running)") +
                $", overlay {measured.OverlayBytes} bytes ({measured.OverlayBytes / (double)(1 << 20):0.#} MiB) on {source.Facts.Name}.");
            return measured;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await LogAsync(migration.Id, $"Prepare: measuring the VM on {source.Facts.Name} failed ({e.Message}); planning with an idle guest and an empty overlay.");
            return null;
        }
    }

    /// <summary>
    /// The link the plan uses, in order: the request's (<c>request</c>), the probe's between the two nodes
    /// (<c>measured</c>), <c>SkillVL:Migration:Links:&lt;target&gt;</c> (<c>configured</c>), the default (<c>default</c>).
    /// The latter two only when the probe is off or fails, which the migration's log says with the reason. The probe is
    /// made also for <c>tuning: qemu-defaults</c>: the metrics then show what the link was, while QEMU's defaults stay.
    /// </summary>
    private async Task<(LinkMeasurement Link, string Source)> ResolveLinkAsync(MigrationEntity migration, INodeAgent source, INodeAgent target, CancellationToken ct)
    {
        if (migration.LinkJson is { } given)
        {
            return (MigrationJson.Read<LinkMeasurement>(given), migration.LinkSource ?? "request");
        }

        string why;
        if (Settings.ProbeLink)
        {
            try
            {
                return (await ProbeLinkAsync(migration, source, target, ct), "measured");
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                why = $"the link probe from {source.Facts.Name} to {target.Facts.Name} failed: {e.Message}";
            }
        }
        else
        {
            why = "the link probe is off (SkillVL:Migration:ProbeLink)";
        }

        var (link, linkSource) = ConfiguredLink(migration);
        await LogAsync(migration.Id, $"Prepare: {why}; planning with the {linkSource} link.");
        return (link, linkSource);
    }

    /// <summary>The target's probe endpoint, the source's measurement against it — in reverse (a client target) the
    /// source's endpoint, dialled by the target, still measuring source → target (<see cref="ReverseMigration"/>); the
    /// endpoint is closed whatever happens (bounded, and it would close itself after its lifetime anyway).</summary>
    private async Task<LinkMeasurement> ProbeLinkAsync(MigrationEntity migration, INodeAgent source, INodeAgent target, CancellationToken ct)
    {
        var listener = ReverseMigration.ProbeListener(source, target);
        try
        {
            var (endpoint, dialer) = await ReverseMigration.OpenLinkProbeAsync(migration.Id, source, target, ct);
            return await dialer.Migrations.ProbeLinkAsync(endpoint, ct);
        }
        finally
        {
            try
            {
                using var bound = new CancellationTokenSource(Settings.CleanupTimeout);
                await listener.Migrations.CloseLinkProbeAsync(migration.Id, bound.Token);
            }
            catch (Exception e)
            {
                MigrationLog.CleanupFailed(logger, migration.Id, "close the link probe", e);
                await LogAsync(migration.Id, $"Cleanup: closing the link probe on {listener.Facts.Name} failed ({e.Message}); it closes itself shortly.");
            }
        }
    }

    private (LinkMeasurement Link, string Source) ConfiguredLink(MigrationEntity migration)
    {
        var (setting, source) = Settings.Links.TryGetValue(migration.TargetNode, out var configured)
            ? (configured, "configured")
            : (Settings.DefaultLink, "default");
        if (!MigrationQuantities.TryParseRate(setting.Bandwidth, out var bandwidth) || !MigrationQuantities.TryParseDuration(setting.Rtt, out var rtt))
        {
            throw new MigrationAbortedException($"The {source} link setting for node {migration.TargetNode} ('{setting.Bandwidth}', '{setting.Rtt}') is not a rate and a duration.");
        }

        return (new LinkMeasurement(bandwidth, rtt, setting.Loss), source);
    }

    /// <summary>The baseline: QEMU's defaults, except where the user set a limit; the model predicts them the same way.</summary>
    private static MigrationParameters QemuDefaults(LinkMeasurement link, VmMigrationProfile profile, MigrationLimits limits)
    {
        var cap = limits.MaxBandwidth ?? QemuDefaultMaxBandwidth;
        var prediction = PreCopyModel.Predict(profile, link, new PreCopySettings { BandwidthCap = cap, DowntimeLimit = limits.DowntimeLimit });
        const string Why = "QEMU's default (tuning: qemu-defaults, the baseline)";
        return new MigrationParameters
        {
            MaxBandwidth = cap,
            DowntimeLimit = limits.DowntimeLimit,
            MultifdChannels = 0,
            Compression = MigrationCompression.None,
            CompressionLevel = 0,
            XbzrleCacheBytes = 0,
            AutoConverge = false,
            ThrottleTriggerPercent = MigrationPolicy.ThrottleTriggerPercentDefault,
            PostCopy = false,
            Reasons =
            [
                new("maxBandwidth", limits.MaxBandwidth is null ? $"{cap}: {Why}" : $"{cap}: the user's cap"),
                new("downtimeLimit", $"{limits.DowntimeLimit.TotalMilliseconds:0} ms: " + (limits.DowntimeLimit == MigrationLimits.DefaultDowntimeLimit ? Why : "the user's limit")),
                new("multifdChannels", "0 (multifd off): " + Why),
                new("compression", "none: " + Why),
                new("xbzrleCacheBytes", "off: " + Why),
                new("autoConverge", "off: " + Why),
                new("throttleTriggerPercent", "50 %: " + Why),
                new("postCopy", "off: " + Why),
            ],
            Prediction = prediction,
        };
    }

    /// <summary>Where a node listens: its underlay address, or loopback for the embedded node (one host).</summary>
    private static string ListenAddress(INodeAgent node) => ReverseMigration.ListenAddress(node);

    private async Task EnterPhaseAsync(Run run, string phase, string message)
    {
        run.Phase = phase;
        run.LastWriteAt = null;
        await UpdateAsync(run.Migration.Id, m => m.Phase = phase, CancellationToken.None);
        await LogAsync(run.Migration.Id, message);
    }

    private async Task<bool> IsCancelRequestedAsync(string id)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        return await db.Migrations.AnyAsync(m => m.Id == id && m.CancelRequested, CancellationToken.None);
    }

    /// <summary>Starts the platform's peer probe (<see cref="MigrationPeerProbe"/>); best effort, the log says what it does.</summary>
    private async Task StartPeerProbeAsync(Run run, RoomEntity room, MachineEntity machine, CancellationToken ct)
    {
        try
        {
            var (probe, why) = await MigrationPeerProbe.StartAsync(nodes, room, machine, run.Migration.Id, ct);
            run.Probe = probe;
            await LogAsync(run.Migration.Id, probe is null
                ? $"Peer probe: none ({why}); the service gap is not measured."
                : $"Peer probe: {probe.PeerName} pings {probe.Address} every {PeerProbe.Interval.TotalMilliseconds:0} ms until after the switch-over.");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await LogAsync(run.Migration.Id, $"Peer probe: could not start ({e.Message}); the service gap is not measured.");
        }
    }

    /// <summary>Stops the peer probe (on success it reads the gap; on failure it only ends the ping). Never throws.</summary>
    private async Task StopPeerProbeAsync(Run run, MigrationPeerProbe probe)
    {
        run.Probe = null;
        try
        {
            using var bound = new CancellationTokenSource(Settings.CleanupTimeout);
            var gap = await probe.StopAsync(bound.Token);
            if (!run.Moved)
            {
                return;
            }

            run.ProbeDowntime = gap;
            await LogAsync(run.Migration.Id, gap is { } g
                ? $"Peer probe: {probe.PeerName} saw no reply from {probe.Address} for at most {g.TotalMilliseconds:0} ms."
                : $"Peer probe: {probe.PeerName} got fewer than two replies from {probe.Address}; no service gap to report.");
        }
        catch (Exception e)
        {
            MigrationLog.CleanupFailed(logger, run.Migration.Id, "stop the peer probe", e);
            await LogAsync(run.Migration.Id, $"Peer probe: stopping it in {probe.PeerName} failed ({e.Message}).");
        }
    }

    private async Task FinishAsync(string id, string state, string? error, Run? run, CancellationToken ct)
    {
        await UpdateAsync(id, m =>
        {
            m.State = state;
            m.Error = error;
            m.FinishedAt = time.GetUtcNow();
            if (run is null)
            {
                return;
            }

            m.BaseBytes = run.BaseBytes;
            if (state == MigrationStates.Succeeded)
            {
                m.Phase = MigrationPhases.Done;
                m.TotalTimeMs = run.TotalTime.TotalMilliseconds;
                m.DowntimeMs = run.Downtime?.TotalMilliseconds;
                m.ProbeDowntimeMs ??= run.ProbeDowntime?.TotalMilliseconds;
                m.RamBytes = run.RamBytes;
                m.DiskBytes = run.DiskBytes;
                var seconds = run.TotalTime.TotalSeconds;
                m.AverageThroughputBitsPerSecond = seconds > 0 ? (run.RamBytes + run.DiskBytes + run.BaseBytes) * 8.0 / seconds : null;
                m.BytesDone = m.BytesTotal;
                m.EtaSeconds = 0;
            }
            else
            {
                m.TotalTimeMs = time.GetElapsedTime(run.StartedAt).TotalMilliseconds;
            }
        }, ct);
        await LogAsync(id, state == MigrationStates.Succeeded ? "Succeeded." : $"{char.ToUpperInvariant(state[0])}{state[1..]}: {error}");
    }

    private async Task UpdateAsync(string id, Action<MigrationEntity> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Migrations.FirstAsync(m => m.Id == id, ct);
        change(row);
        await db.SaveChangesAsync(ct);
    }

    private async Task LogAsync(string id, string message)
    {
        MigrationLog.Step(logger, id, message);
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        db.MigrationLog.Add(new MigrationLogEntity { MigrationId = id, At = time.GetUtcNow(), Message = message });
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Sets the machine's state word; with <paramref name="onlyIf"/>, only when it still is that.</summary>
    private async Task SetMachineStateAsync(string machineId, string state, string? onlyIf, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Machines.Where(m => m.Id == machineId && (onlyIf == null || m.ObservedState == onlyIf))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ObservedState, state), ct);
    }

    /// <summary>What one run knows as it goes.</summary>
    private sealed class Run(MigrationEntity migration, long startedAt)
    {
        public MigrationEntity Migration { get; } = migration;

        public long StartedAt { get; } = startedAt;

        public string Phase { get; set; } = MigrationPhases.Prepare;

        public MigrationParameters? Parameters { get; set; }

        public bool TargetTouched { get; set; }

        /// <summary>The target runs the guest: from here on nothing is undone.</summary>
        public bool Moved { get; set; }

        public bool PostCopy { get; set; }

        public long BaseBytes { get; set; }

        public long RamBytes { get; set; }

        public long DiskBytes { get; set; }

        public TimeSpan? Downtime { get; set; }

        public TimeSpan TotalTime { get; set; }

        public long? LastSampleAt { get; set; }

        public long LastBytesDone { get; set; }

        /// <summary>What a succeeded run could not do (a check-out that kept no retained copy); the migration's note.</summary>
        public string? Note { get; set; }

        /// <summary>The platform's peer probe while RAM moves (null when there is none, or once read).</summary>
        public MigrationPeerProbe? Probe { get; set; }

        /// <summary>The longest gap the peer probe saw; null without one.</summary>
        public TimeSpan? ProbeDowntime { get; set; }

        /// <summary>The last RAM pass written to the migration's log (one line per pass).</summary>
        public int LoggedPass { get; set; }

        public double LastRate { get; set; }

        public long? LastWriteAt { get; set; }
    }
}
