using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Checkout;
using SkillVL.Drivers.Qemu.CommandLine;
using SkillVL.Drivers.Qemu.Confinement;
using SkillVL.Drivers.Qemu.Disks;
using SkillVL.Drivers.Qemu.Migration.Tunnel;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu.Migration;

/// <summary>
/// <see cref="IVmMigrationDriver"/> on local QEMU, the sequence of QEMU's docs/interop/live-block-operations.rst
/// ("QMP invocation for live storage migration with blockdev-mirror + NBD"): the target runs the VM with
/// <c>-incoming defer -S</c> and exports a fresh disk over NBD; the source mirrors into it until in sync, then sends
/// RAM with <c>migrate</c>; once QEMU reports completed, the mirror ends without a pivot and the target resumes.
/// QEMU 9.1 removed <c>migrate -b</c>, so it is not used. With TLS, both the NBD connection and the migration
/// stream use <c>tls-creds-x509</c> objects over the node's platform certificate (<see cref="TlsDirectory"/>).
/// With <see cref="MigrationTransport.Tunnel"/> QEMU on both ends uses unix sockets instead, and the node's
/// <see cref="MigrationTunnels"/> carry both streams between the nodes, compressed, over TLS (ADR 0013).
/// Operations on one VM share the VM driver's lock, so a migration never races a start, stop or delete.
/// </summary>
public sealed class QemuMigrationDriver : IVmMigrationDriver, IAsyncDisposable
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Reverse mode (ADR 0020): how long the source waits, when the mirror starts, for the target to have parked
    /// a connection per channel at its rendezvous. The target dials from the end of its prepare on, retrying every 1–5 s;
    /// a target that cannot reach the source fails the migration here, before anything moved.</summary>
    private static readonly TimeSpan RendezvousWait = TimeSpan.FromSeconds(30);

    /// <summary>The longest dirty-rate sample <see cref="MeasureAsync"/> takes, whatever the caller asks: the guest's
    /// behaviour a minute before the move is no better a guide than over a few seconds.</summary>
    private static readonly TimeSpan MaxDirtyRateSample = TimeSpan.FromSeconds(60);

    private readonly QemuDriverOptions _options;
    private readonly QemuVmDriver _vms;
    private readonly QemuProcessSupervisor _supervisor;
    private readonly FileTemplateStore _templates;
    private readonly QcowImageTool _images;
    private readonly AcceleratorProbe _accelerators;
    private readonly ICommandRunner _runner;
    private readonly MigrationTunnels _tunnels;
    private readonly LinkProbes _probes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetainedCopies _retained;
    private readonly CheckinTransfer _checkin;

    public QemuMigrationDriver(
        QemuDriverOptions options,
        QemuVmDriver vms,
        QemuProcessSupervisor supervisor,
        FileTemplateStore templates,
        QcowImageTool images,
        AcceleratorProbe accelerators,
        ICommandRunner runner,
        MigrationTunnels tunnels,
        LinkProbes probes,
        TimeProvider time,
        ILogger<QemuMigrationDriver> logger,
        RetainedCopies? retained = null)
    {
        // Check-in (DiskTransfer.Incremental, ADR 0021): the target's disk is the retained copy, the source copies its
        // dirty clusters instead of mirroring. Its code is in Checkout/; these are only its hooks.
        _retained = retained ?? new RetainedCopies(options, supervisor, tunnels, Microsoft.Extensions.Logging.Abstractions.NullLogger<RetainedCopies>.Instance);
        _checkin = new CheckinTransfer(supervisor, logger);
        _runner = runner;
        _tunnels = tunnels;
        _probes = probes;
        _options = options;
        _vms = vms;
        _supervisor = supervisor;
        _templates = templates;
        _images = images;
        _accelerators = accelerators;
        _time = time;
        _logger = logger;
    }

    /// <summary>Debian 12's QEMU 7.2 (with libzstd): multifd + zstd, xbzrle, auto-converge, post-copy; and the node's tunnel.</summary>
    public MigrationFeatures Features => MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel;

    /// <summary>Where this node's platform certificate and the CA certificate are, as QEMU reads them (ADR 0011).</summary>
    public string TlsDirectory => NodeTlsFiles.DirectoryOf(_options.DataDirectory);

    /// <summary>
    /// The guest's dirty rate through <c>calc-dirty-rate</c> (<see cref="MigrationQmp.CalcDirtyRate"/>), polled with
    /// <c>query-dirty-rate</c> until measured, and the overlay's allocated bytes (<c>qemu-img info -U</c>
    /// <c>actual-size</c>, what the file occupies on the host; QEMU's <c>query-block</c> reports the same figure). A VM
    /// that is not running (stopped, or paused for an offline move) dirties nothing: 0, and no QEMU is started for it.
    /// Does not take the VM's lock: sampling takes seconds and changes nothing; a VM stopped meanwhile fails the call.
    /// </summary>
    public Task<VmMigrationMeasurement> MeasureAsync(string vmId, TimeSpan sample, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(async () =>
        {
            var paths = Paths(vmId);
            var status = await _supervisor.InspectAsync(paths, cancellationToken);
            var rate = DataRate.Zero;
            var sampled = TimeSpan.Zero;
            if (status is { State: VmPowerState.Running, Pid: not null })
            {
                var seconds = (long)Math.Clamp(Math.Ceiling(sample.TotalSeconds), 1, MaxDirtyRateSample.TotalSeconds);
                await WaitAsync(async () => (await _supervisor.ExecuteQmpAsync(paths, "query-dirty-rate", null, cancellationToken))?["status"]
                    ?.GetValue<string>() != "measuring", "an earlier dirty-rate measurement", cancellationToken);
                await _supervisor.ExecuteQmpAsync(paths, "calc-dirty-rate", MigrationQmp.CalcDirtyRate(seconds), cancellationToken);

                // The answer is ready after the sample at the earliest; before that, query-dirty-rate may still show the
                // previous measurement (QEMU's thread sets "measuring" only once it runs).
                await Task.Delay(TimeSpan.FromSeconds(seconds), _time, cancellationToken);
                DataRate? measured = null;
                await WaitAsync(async () =>
                {
                    measured = MigrationQmp.DirtyRate(await _supervisor.ExecuteQmpAsync(paths, "query-dirty-rate", null, cancellationToken), seconds);
                    return measured is not null;
                }, "measuring the dirty rate", cancellationToken);
                (rate, sampled) = (measured!.Value, TimeSpan.FromSeconds(seconds));
            }

            var overlay = await _vms.Disks.UsedBytesAsync(paths, cancellationToken);
            _logger.Measured(vmId, rate.MebibytesPerSecond, overlay, sampled.TotalSeconds);
            return new VmMigrationMeasurement(rate, overlay, sampled);
        });
    }

    /// <summary>The node's <see cref="LinkProbes"/> endpoint, with its platform certificate (the tunnel's TLS).</summary>
    public async Task<LinkProbeEndpoint> OpenLinkProbeAsync(string migrationId, string listenAddress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(migrationId);
        cancellationToken.ThrowIfCancellationRequested();
        var (port, token) = await _probes.OpenAsync(migrationId, listenAddress, TlsDirectory, LinkProbes.Lifetime);
        return new LinkProbeEndpoint(listenAddress, port, token, listenAddress, LinkProbes.Lifetime);
    }

    /// <summary>The same endpoint on the source, in reverse: the target dials it, this node measures (ADR 0020).</summary>
    public async Task<LinkProbeEndpoint> OpenReverseLinkProbeAsync(string migrationId, string listenAddress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(migrationId);
        cancellationToken.ThrowIfCancellationRequested();
        var (port, token) = await _probes.OpenAsync(migrationId, listenAddress, TlsDirectory, LinkProbes.Lifetime, sends: true);
        return new LinkProbeEndpoint(listenAddress, port, token, listenAddress, LinkProbes.Lifetime, Reverse: true);
    }

    public Task CloseLinkProbeAsync(string migrationId, CancellationToken cancellationToken) => _probes.CloseAsync(migrationId);

    public Task<LinkMeasurement> ProbeLinkAsync(LinkProbeEndpoint target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _probes.ProbeAsync(target.Host, target.Port, target.Token, target.TlsHostname, TlsDirectory, cancellationToken, target.Reverse);
    }

    /// <summary>The VM's <see cref="MigrationTunnels"/> rendezvous: a TLS listener with a fresh token, nothing else yet (the
    /// VM is not touched, so no lock); the mirror's start uses it (<see cref="StartDiskMirrorAsync"/>).</summary>
    public async Task<OutgoingRendezvous> OpenOutgoingRendezvousAsync(
        string migrationId, string vmId, string listenAddress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(migrationId);
        QemuVmDriver.ValidateId(vmId);
        cancellationToken.ThrowIfCancellationRequested();
        return await QemuVmDriver.TranslateAsync(async () =>
        {
            var endpoint = await _tunnels.OpenRendezvousAsync(migrationId, vmId, listenAddress, TlsDirectory);
            return new OutgoingRendezvous(listenAddress, endpoint.Port, endpoint.Token, listenAddress);
        });
    }

    public Task<IncomingMigration> PrepareIncomingAsync(IncomingMigrationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var vmId = request.Spec.Id;
        QemuVmDriver.ValidateId(vmId);
        RequireDiskTransfer(request.Disk, "Receiving a migration (its disk mirror)");
        return QemuVmDriver.TranslateAsync(async () =>
        {
            IncomingMigration? prepared = null;
            await _vms.WithVmLockAsync(vmId, async () =>
            {
                var paths = Paths(vmId);
                var record = ReadJson<IncomingRecord>(IncomingFile(paths));
                var status = await _supervisor.InspectAsync(paths, cancellationToken);
                if (record is { Target: { } waiting } && record.MigrationId == request.MigrationId && status.Pid is not null
                    && ((waiting.TunnelPort == 0 && !waiting.DialsSource) || _tunnels.HasIncoming(vmId)))
                {
                    prepared = waiting;
                    return;
                }

                if (record is null && (status.Pid is not null || File.Exists(paths.Disk)))
                {
                    throw new DriverException(
                        $"VM {vmId} already exists on this node; a migration cannot be received into it.", isTransient: false);
                }

                // A record of another (or a half-prepared) attempt: remove what it left, then start over.
                if (record is not null)
                {
                    await RemoveIncomingCoreAsync(paths, cancellationToken);
                }

                prepared = await PrepareCoreAsync(request, paths, cancellationToken);
            }, cancellationToken);
            return prepared!;
        });
    }

    public Task CompleteIncomingAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(vmId, async () =>
        {
            var paths = Paths(vmId);
            var record = ReadJson<IncomingRecord>(IncomingFile(paths));
            var status = await _supervisor.InspectAsync(paths, cancellationToken);
            if (record is null)
            {
                if (status.State == VmPowerState.Running)
                {
                    return; // completed before
                }

                throw new DriverException($"VM {vmId} is not receiving a migration on this node.", isTransient: false);
            }

            if (status.Pid is null)
            {
                throw new DriverException(
                    $"The incoming VM {vmId} is not running on this node (its QEMU is gone{IncomingFailure.Explain(paths)}).", isTransient: false);
            }

            // The target finishes loading the state a moment after the source reports completed.
            var runState = await WaitForRunStateAsync(paths, state => state != "inmigrate", cancellationToken);
            if (runState is not ("paused" or "running" or "prelaunch"))
            {
                throw new DriverException(
                    $"The incoming VM {vmId} is '{runState}', not paused with its state loaded; it cannot resume.", isTransient: false);
            }

            await TryQmpAsync(paths, "block-export-del", new JsonObject { ["id"] = MigrationQmp.ExportId, ["mode"] = "hard" }, cancellationToken);
            await TryQmpAsync(paths, "nbd-server-stop", null, cancellationToken);
            await _tunnels.CloseIncomingAsync(vmId);
            if (runState != "running" && !record.Offline)
            {
                await _supervisor.ExecuteQmpAsync(paths, "cont", null, cancellationToken);
            }

            await TryQmpAsync(paths, "object-del", new JsonObject { ["id"] = MigrationQmp.ServerTlsObject }, cancellationToken);
            _retained.EndLent(vmId);
            File.Delete(IncomingFile(paths));
            _logger.IncomingCompleted(vmId, record.MigrationId);
        }, cancellationToken));
    }

    public Task AbortIncomingAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(vmId, async () =>
        {
            var paths = Paths(vmId);
            var record = ReadJson<IncomingRecord>(IncomingFile(paths));
            if (record is null)
            {
                var status = await _supervisor.InspectAsync(paths, cancellationToken);
                if (status.Pid is not null)
                {
                    // Completed (or never ours): the VM runs here for real. Deleting it would lose it.
                    throw new DriverException(
                        $"VM {vmId} runs on this node and is not receiving a migration; it is not removed.", isTransient: false);
                }

                return;
            }

            await RemoveIncomingCoreAsync(paths, cancellationToken);
            _logger.IncomingAborted(vmId, record.MigrationId);
        }, cancellationToken));
    }

    public Task StartDiskMirrorAsync(OutgoingMigrationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        QemuVmDriver.ValidateId(request.VmId);
        RequireDiskTransfer(request.Disk, "Migration's disk mirror");
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(request.VmId, async () =>
        {
            var paths = Paths(request.VmId);
            var status = await _supervisor.InspectAsync(paths, cancellationToken);
            if (request.Offline && status.Pid is null && status.State is VmPowerState.Stopped or VmPowerState.ShutOff)
            {
                status = await StartPausedAsync(paths, request.VmId, cancellationToken);
            }

            if (status.State is not (VmPowerState.Running or VmPowerState.Paused) || status.Pid is null)
            {
                throw new InvalidVmStateException(request.VmId, status.State, request.Offline ? "migrate offline" : "migrate");
            }

            var record = ReadJson<OutgoingRecord>(OutgoingFile(paths));
            var jobs = await _supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken);
            var copying = MigrationQmp.FindMirror(jobs) is not null || CheckoutQmp.FindJob(jobs, CheckoutQmp.CatchUpJob) is not null;
            if (record?.Request.MigrationId == request.MigrationId && copying)
            {
                return;
            }

            // A shared move copies nothing, so its record (and its tunnel, if any) is all a repeated call finds of it.
            if (record?.Request.MigrationId == request.MigrationId && request.Disk == DiskTransfer.Shared
                && (!Tunnelled(request.Parameters) || _tunnels.HasOutgoing(request.VmId)))
            {
                return;
            }

            if (record is not null || copying)
            {
                // Not this migration's rendezvous: the target may have parked connections there already.
                await CancelCoreAsync(paths, record, keepRendezvousOf: request.MigrationId, cancellationToken);
            }

            QemuProcessSupervisor.WriteJsonAtomically(OutgoingFile(paths), new OutgoingRecord(request, _time.GetUtcNow(), RamStarted: false));
            if (request.Disk == DiskTransfer.Shared)
            {
                // The target opened the same image: nothing to mirror; only the RAM stream needs a way there.
                if (Tunnelled(request.Parameters))
                {
                    await OpenRamTunnelAsync(request, paths, cancellationToken);
                }

                _logger.MirrorStarted(request.VmId, request.Disk, request.Target.Host, 0, request.MigrationId);
                return;
            }

            if (Tunnelled(request.Parameters))
            {
                var target = request.Target;
                if (target.DialsSource)
                {
                    await _tunnels.OpenOutgoingReverseAsync(
                        request.VmId, request.MigrationId, paths.RuntimeDirectory, request.Parameters.TunnelCompressionLevel, TlsDirectory,
                        RendezvousWait, cancellationToken);
                }
                else if (target.TunnelPort <= 0 || string.IsNullOrEmpty(target.TunnelToken))
                {
                    throw new DriverException(
                        $"VM {request.VmId}: the migration asks for the tunnel, but the target named no tunnel port and token.", isTransient: false);
                }
                else
                {
                    await _tunnels.OpenOutgoingAsync(
                        request.VmId, target.Host, target.TunnelPort, target.TunnelToken, target.TlsHostname ?? target.Host,
                        paths.RuntimeDirectory, request.Parameters.TunnelCompressionLevel, TlsDirectory);
                }

                // The unprivileged QEMU connects to the tunnel's sockets (root's, made by this process): its group may.
                await _supervisor.Confinement.ShareAsync(
                    [
                        MigrationTunnels.OutgoingSocket(paths.RuntimeDirectory, MigrationTunnels.NbdChannel),
                        MigrationTunnels.OutgoingSocket(paths.RuntimeDirectory, MigrationTunnels.RamChannel),
                    ],
                    cancellationToken);
                await _supervisor.ExecuteQmpAsync(
                    paths, "blockdev-add",
                    MigrationQmp.TargetBlockdevUnix(MigrationTunnels.OutgoingSocket(paths.RuntimeDirectory, MigrationTunnels.NbdChannel), target.NbdExport),
                    cancellationToken);
            }
            else
            {
                var tls = request.Tls ? MigrationQmp.ClientTlsObject : null;
                if (tls is not null)
                {
                    RequireTlsFiles();
                    await TryQmpAsync(paths, "object-del", new JsonObject { ["id"] = tls }, cancellationToken);
                    await AddTlsCredentialsAsync(paths, tls, server: false, cancellationToken);
                }

                await _supervisor.ExecuteQmpAsync(paths, "blockdev-add", MigrationQmp.TargetBlockdev(request.Target, tls), cancellationToken);
            }

            if (request.Disk == DiskTransfer.Incremental)
            {
                await _checkin.StartAsync(paths, request.Parameters.MaxBandwidth, cancellationToken);
            }
            else
            {
                await _supervisor.ExecuteQmpAsync(paths, "blockdev-mirror", MigrationQmp.Mirror(request.Disk, request.Parameters.MaxBandwidth), cancellationToken);
            }

            _logger.MirrorStarted(request.VmId, request.Disk, request.Target.Host, request.Target.NbdPort, request.MigrationId);
        }, cancellationToken));
    }

    public Task StartRamMigrationAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(vmId, async () =>
        {
            var paths = Paths(vmId);
            var record = ReadJson<OutgoingRecord>(OutgoingFile(paths))
                ?? throw new DriverException($"VM {vmId} has no outgoing migration on this node.", isTransient: false);
            if (record.RamStarted)
            {
                return;
            }

            var request = record.Request;
            if (request.Disk == DiskTransfer.Shared)
            {
                // No mirror to wait for: both QEMUs open the same image.
            }
            else if (request.Disk == DiskTransfer.Incremental)
            {
                if (!await _checkin.CatchUpDoneAsync(paths, cancellationToken))
                {
                    throw new DriverException($"VM {vmId}: the check-in's catch-up copy has not ended well; RAM cannot start yet.", isTransient: true);
                }
            }
            else if (MigrationQmp.FindMirror(await _supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken)) is var mirror
                     && mirror is not { Status: "ready" or "standby" })
            {
                throw new DriverException(
                    $"VM {vmId}: the disk mirror is not in sync ({mirror?.Status ?? "no mirror"}); RAM cannot start yet.", isTransient: true);
            }

            var tunnelled = Tunnelled(request.Parameters);
            if (tunnelled && !_tunnels.HasOutgoing(vmId))
            {
                throw new DriverException(
                    $"VM {vmId}: the migration tunnel to the target is gone (was this node's agent restarted?); the migration cannot go on.",
                    isTransient: false);
            }

            var tls = request.Tls && !tunnelled ? MigrationQmp.ClientTlsObject : null;
            await _supervisor.ExecuteQmpAsync(paths, "migrate-set-capabilities", MigrationQmp.Capabilities(request.Parameters), cancellationToken);
            await _supervisor.ExecuteQmpAsync(
                paths, "migrate-set-capabilities", CheckinTransfer.PauseBeforeSwitchover(request.Disk == DiskTransfer.Incremental), cancellationToken);
            await _supervisor.ExecuteQmpAsync(
                paths, "migrate-set-parameters",
                MigrationQmp.Parameters(request.Parameters, source: true, tls, tls is null ? null : request.Target.TlsHostname), cancellationToken);
            var uri = tunnelled
                ? MigrationQmp.UnixUri(MigrationTunnels.OutgoingSocket(paths.RuntimeDirectory, MigrationTunnels.RamChannel))
                : MigrationQmp.Uri(request.Target.Host, request.Target.MigrationPort);
            QemuProcessSupervisor.WriteJsonAtomically(OutgoingFile(paths), record with { RamStarted = true });
            await _supervisor.ExecuteQmpAsync(paths, "migrate", new JsonObject { ["uri"] = uri }, cancellationToken);
            _logger.RamStarted(vmId, uri, request.MigrationId);
        }, cancellationToken));
    }

    public Task<OutgoingMigrationStatus> GetOutgoingStatusAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(async () =>
        {
            var paths = Paths(vmId);
            var record = ReadJson<OutgoingRecord>(OutgoingFile(paths));
            if (record is null)
            {
                return new OutgoingMigrationStatus(OutgoingMigrationState.None, 0, 0, null, null, null, 0, null);
            }

            var status = await _supervisor.InspectAsync(paths, cancellationToken);
            if (status.Pid is null)
            {
                return new OutgoingMigrationStatus(OutgoingMigrationState.Failed, 0, 0, null, null, null, 0,
                    $"The VM's QEMU on the source is gone ({status.State}).");
            }

            OutgoingMigrationStatus result;
            if (record.Request.Disk == DiskTransfer.Shared && !record.RamStarted)
            {
                // Nothing to copy before RAM: ready at once (0 disk bytes, and 0 they stay).
                result = new OutgoingMigrationStatus(OutgoingMigrationState.DiskReady, 0, 0, null, null, null, 0, null);
            }
            else if (record.Request.Disk == DiskTransfer.Incremental)
            {
                result = await _checkin.StatusAsync(paths, record, _time.GetUtcNow() - record.StartedAt, cancellationToken);
            }
            else
            {
                var jobs = await _supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken);
                var migrate = record.RamStarted ? await _supervisor.ExecuteQmpAsync(paths, "query-migrate", null, cancellationToken) : null;
                result = MigrationQmp.Status(MigrationQmp.FindMirror(jobs), migrate, _time.GetUtcNow() - record.StartedAt, record.RamStarted);
            }

            return _tunnels.OutgoingCounters(vmId) is { } tunnel ? result with { TunnelBytes = tunnel.WireSent + tunnel.WireReceived } : result;
        });
    }

    public async Task ApplyDecisionAsync(string vmId, MigrationDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        QemuVmDriver.ValidateId(vmId);
        var paths = Paths(vmId);
        switch (decision.Action)
        {
            case MigrationAction.Continue:
                return;
            case MigrationAction.Abort:
                await CancelOutgoingAsync(vmId, cancellationToken);
                break;
            case MigrationAction.RaiseDowntimeLimit when decision.DowntimeLimit is { } limit:
                await QemuVmDriver.TranslateAsync(() => _supervisor.ExecuteQmpAsync(
                    paths, "migrate-set-parameters", new JsonObject { ["downtime-limit"] = (long)Math.Ceiling(limit.TotalMilliseconds) }, cancellationToken));
                break;
            case MigrationAction.Throttle:
                await QemuVmDriver.TranslateAsync(() => _supervisor.ExecuteQmpAsync(
                    paths, "migrate-set-parameters",
                    new JsonObject { ["throttle-trigger-threshold"] = MigrationPolicy.ThrottleTriggerPercentDefault }, cancellationToken));
                break;
            case MigrationAction.SwitchToPostCopy:
                await QemuVmDriver.TranslateAsync(() => _supervisor.ExecuteQmpAsync(paths, "migrate-start-postcopy", null, cancellationToken));
                break;
            default:
                throw new ArgumentException($"Decision {decision.Action} has no downtime limit.", nameof(decision));
        }

        _logger.DecisionApplied(vmId, decision.Action, decision.Reason);
    }

    public Task CompleteOutgoingAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(vmId, async () =>
        {
            var paths = Paths(vmId);
            var record = ReadJson<OutgoingRecord>(OutgoingFile(paths));
            if (record is null)
            {
                return;
            }

            var migrate = await _supervisor.ExecuteQmpAsync(paths, "query-migrate", null, cancellationToken);
            var state = migrate?["status"]?.GetValue<string>();
            if (!record.RamStarted || state != "completed")
            {
                throw new DriverException(
                    $"VM {vmId}: the migration is '{state ?? "not started"}', not completed; it cannot be handed over.", isTransient: false);
            }

            // In the ready state, cancelling a mirror completes it without switching the disk to the target:
            // the guest is paused, so both copies are equal, and the source keeps its own until it is deleted.
            await EndMirrorAsync(paths, force: false, cancellationToken);
            await _checkin.EndAsync(paths, cancellationToken);
            await TryQmpAsync(paths, "blockdev-del", new JsonObject { ["node-name"] = MigrationQmp.TargetNode }, cancellationToken);
            await TryQmpAsync(paths, "object-del", new JsonObject { ["id"] = MigrationQmp.ClientTlsObject }, cancellationToken);
            await _tunnels.DrainOutgoingAsync(vmId, SettleTimeout);
            if (record.Request.Disk == DiskTransfer.Shared)
            {
                // The target runs on the same image now (QEMU flushed it when it handed the disks off at the switch-over):
                // deleting this node's leftovers must leave it in the pool.
                await _vms.Disks.MarkSharedAsync(paths, SharedDiskMark.HandedOver, cancellationToken);
            }

            File.Delete(OutgoingFile(paths));
            _logger.OutgoingCompleted(vmId, record.Request.MigrationId);
        }, cancellationToken));
    }

    public Task CancelOutgoingAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(vmId, async () =>
        {
            var paths = Paths(vmId);
            await CancelCoreAsync(paths, ReadJson<OutgoingRecord>(OutgoingFile(paths)), keepRendezvousOf: null, cancellationToken);
        }, cancellationToken));
    }

    private async Task<IncomingMigration> PrepareCoreAsync(IncomingMigrationRequest request, VmPaths paths, CancellationToken cancellationToken)
    {
        var spec = request.Spec;
        Directory.CreateDirectory(paths.DataDirectory);
        QemuProcessSupervisor.WriteJsonAtomically(IncomingFile(paths), new IncomingRecord(request.MigrationId, null, _time.GetUtcNow(), request.Offline));
        try
        {
            var template = await _templates.FindAsync(spec.TemplateSha256, cancellationToken)
                ?? throw new DriverException(
                    $"VM {spec.Id}: template {spec.TemplateSha256} is not on this node; it must be fetched before the migration.", isTransient: false);
            var accelerator = await _accelerators.ResolveAsync(template, cancellationToken);
            var arguments = QemuCommandLineBuilder.BuildIncoming(spec, template, paths, accelerator, _options);
            if (template.CloudInit)
            {
                // The source's devices include the seed disk; the copy here must have it too (ADR 0059).
                await new CloudInit.CloudInitSeedWriter(_supervisor.Runner, _supervisor.Confinement).WriteAsync(paths, spec, cancellationToken);
            }

            var tunnelled = Tunnelled(request.Parameters);
            if (request.DialSource is not null && !tunnelled)
            {
                throw new DriverException(
                    $"VM {spec.Id}: dialling the source (a target nothing connects to) needs the tunnel transport; the plan chose {request.Parameters.Transport}.",
                    isTransient: false);
            }

            if (request.Tls || tunnelled)
            {
                RequireTlsFiles();
            }

            if (request.Disk == DiskTransfer.Shared)
            {
                // The source's image in the shared pool, opened by this QEMU with its own conf and secret files; nothing made.
                if (request.DialSource is not null)
                {
                    throw new DriverException(
                        $"VM {spec.Id}: a move that shares the disk does not go through a dialling target (ADR 0020): its rendezvous carries the disk's channel.",
                        isTransient: false);
                }

                await _vms.Disks.MarkSharedAsync(paths, SharedDiskMark.Borrowed, cancellationToken);
                await _vms.Disks.PrepareLaunchAsync(paths, cancellationToken);
            }
            else if (request.Disk == DiskTransfer.Overlay)
            {
                await _images.CreateLinkedCloneAsync(template.DiskPath, paths.Disk, cancellationToken);
            }
            else if (request.Disk == DiskTransfer.Incremental)
            {
                await _retained.LendAsync(spec.Id, request.MigrationId, paths.Disk, cancellationToken);
            }
            else
            {
                // The VM's disk is a clone of its template and never resized, so its size is the template's when the
                // caller does not know it (the Server sends 0).
                var size = request.DiskVirtualSizeBytes > 0
                    ? request.DiskVirtualSizeBytes
                    : (await _images.InfoAsync(template.DiskPath, cancellationToken)).VirtualSizeBytes;
                await _images.CreateEmptyAsync(paths.Disk, size, cancellationToken);
            }

            QemuProcessSupervisor.WriteJsonAtomically(paths.SpecFile, spec);

            // This node's own NIC backends (taps here on a bridge node, stream sockets on a stream-mode client): QEMU
            // migrates the NIC devices' state, never their backends, so the source's may differ (ADR 0052).
            await _vms.PrepareNicsAsync(spec, cancellationToken);
            await _supervisor.LaunchAsync(paths, spec, accelerator, arguments, cancellationToken, request.BootId, resume: false);

            // Stream mode: plugged in now, while the guest is paused, so the link is up at the switch-over and the
            // announcement of the guest's MAC after the move (QEMU's RARP, or the guest's gratuitous ARP) can reach the
            // switch and, through the relay, the hub's bridge.
            await _vms.AttachStreamNicsAsync(spec, paths, cancellationToken);
            var tls = request.Tls && !tunnelled ? MigrationQmp.ServerTlsObject : null;
            if (tls is not null)
            {
                await AddTlsCredentialsAsync(paths, tls, server: true, cancellationToken);
            }

            await _supervisor.ExecuteQmpAsync(paths, "migrate-set-capabilities", MigrationQmp.Capabilities(request.Parameters), cancellationToken);
            await _supervisor.ExecuteQmpAsync(
                paths, "migrate-set-parameters", MigrationQmp.Parameters(request.Parameters, source: false, tls, null), cancellationToken);

            var exportName = spec.Id;
            IncomingMigration target;
            if (request.Disk == DiskTransfer.Shared)
            {
                target = await ListenForRamOnlyAsync(request, paths, tunnelled, cancellationToken);
            }
            else if (tunnelled)
            {
                // QEMU listens on unix sockets only this node's root reaches; the tunnel is the one way in from the source.
                var nbdSocket = Path.Combine(paths.RuntimeDirectory, "migration-nbd.sock");
                var ramSocket = Path.Combine(paths.RuntimeDirectory, "migration-ram.sock");
                await _supervisor.ExecuteQmpAsync(paths, "nbd-server-start", MigrationQmp.NbdServerStartUnix(nbdSocket), cancellationToken);
                await _supervisor.ExecuteQmpAsync(paths, "block-export-add", MigrationQmp.ExportAdd(exportName), cancellationToken);
                await _supervisor.ExecuteQmpAsync(
                    paths, "migrate-incoming", new JsonObject { ["uri"] = MigrationQmp.UnixUri(ramSocket) }, cancellationToken);
                // QEMU made them (paused: no guest code has run here); root's from now on, before root connects to them.
                await _supervisor.Confinement.SealAsync([nbdSocket, ramSocket], cancellationToken);
                var sockets = new Dictionary<string, string> { [MigrationTunnels.NbdChannel] = nbdSocket, [MigrationTunnels.RamChannel] = ramSocket };
                if (request.DialSource is { } source)
                {
                    // Reverse (ADR 0020): nothing listens here; the tunnel dials out to the source's rendezvous.
                    await _tunnels.OpenIncomingDialingAsync(
                        spec.Id, source.Host, source.Port, source.Token, source.TlsHostname, sockets, request.Parameters.TunnelCompressionLevel, TlsDirectory);
                    target = new IncomingMigration(source.Host, 0, 0, exportName, source.TlsHostname, DialsSource: true);
                }
                else
                {
                    var endpoint = await _tunnels.OpenIncomingAsync(
                        spec.Id, request.ListenAddress, sockets, request.Parameters.TunnelCompressionLevel, TlsDirectory);
                    target = new IncomingMigration(request.ListenAddress, 0, 0, exportName, request.ListenAddress, endpoint.Port, endpoint.Token);
                }
            }
            else
            {
                var nbdPort = await ListenAsync(port => _supervisor.ExecuteQmpAsync(
                    paths, "nbd-server-start", MigrationQmp.NbdServerStart(request.ListenAddress, port, tls), cancellationToken), request.ListenAddress);
                await _supervisor.ExecuteQmpAsync(paths, "block-export-add", MigrationQmp.ExportAdd(exportName), cancellationToken);
                var migrationPort = await ListenAsync(port => _supervisor.ExecuteQmpAsync(
                    paths, "migrate-incoming", new JsonObject { ["uri"] = MigrationQmp.Uri(request.ListenAddress, port) }, cancellationToken),
                    request.ListenAddress);
                target = new IncomingMigration(request.ListenAddress, migrationPort, nbdPort, exportName, request.Tls ? request.ListenAddress : null);
            }

            QemuProcessSupervisor.WriteJsonAtomically(IncomingFile(paths), new IncomingRecord(request.MigrationId, target, _time.GetUtcNow(), request.Offline));
            _logger.IncomingPrepared(
                spec.Id, request.MigrationId, request.ListenAddress, target.MigrationPort, target.NbdPort, target.TunnelPort, request.Disk, request.Tls || tunnelled);
            return target;
        }
        catch
        {
            // Nothing half-made stays behind; the record goes last, with the files it guards.
            await RemoveIncomingCoreAsync(paths, CancellationToken.None);
            throw;
        }
    }

    /// <summary>A move that shares the disk (<see cref="DiskTransfer.Shared"/>): QEMU waits for RAM only, no NBD export;
    /// through the tunnel only its RAM channel.</summary>
    private async Task<IncomingMigration> ListenForRamOnlyAsync(
        IncomingMigrationRequest request, VmPaths paths, bool tunnelled, CancellationToken cancellationToken)
    {
        if (tunnelled)
        {
            var ramSocket = Path.Combine(paths.RuntimeDirectory, "migration-ram.sock");
            await _supervisor.ExecuteQmpAsync(paths, "migrate-incoming", new JsonObject { ["uri"] = MigrationQmp.UnixUri(ramSocket) }, cancellationToken);
            await _supervisor.Confinement.SealAsync([ramSocket], cancellationToken);
            var endpoint = await _tunnels.OpenIncomingAsync(
                request.Spec.Id, request.ListenAddress, new Dictionary<string, string> { [MigrationTunnels.RamChannel] = ramSocket },
                request.Parameters.TunnelCompressionLevel, TlsDirectory);
            return new IncomingMigration(request.ListenAddress, 0, 0, "", request.ListenAddress, endpoint.Port, endpoint.Token);
        }

        var migrationPort = await ListenAsync(port => _supervisor.ExecuteQmpAsync(
            paths, "migrate-incoming", new JsonObject { ["uri"] = MigrationQmp.Uri(request.ListenAddress, port) }, cancellationToken),
            request.ListenAddress);
        return new IncomingMigration(request.ListenAddress, migrationPort, 0, "", request.Tls ? request.ListenAddress : null);
    }

    /// <summary>Source of a move that shares the disk, through the tunnel: the RAM channel only (nothing listens for NBD).</summary>
    private async Task OpenRamTunnelAsync(OutgoingMigrationRequest request, VmPaths paths, CancellationToken cancellationToken)
    {
        var target = request.Target;
        if (target.DialsSource || target.TunnelPort <= 0 || string.IsNullOrEmpty(target.TunnelToken))
        {
            throw new DriverException(
                $"VM {request.VmId}: the migration asks for the tunnel, but the target named no tunnel port and token.", isTransient: false);
        }

        await _tunnels.OpenOutgoingAsync(
            request.VmId, target.Host, target.TunnelPort, target.TunnelToken, target.TlsHostname ?? target.Host,
            paths.RuntimeDirectory, request.Parameters.TunnelCompressionLevel, TlsDirectory, [MigrationTunnels.RamChannel]);
        await _supervisor.Confinement.ShareAsync([MigrationTunnels.OutgoingSocket(paths.RuntimeDirectory, MigrationTunnels.RamChannel)], cancellationToken);
    }

    /// <summary>
    /// An RBD node moves its disks only by sharing them (both nodes open the same image in the same pool, ADR 0055): a
    /// mirror is refused there, and sharing is refused on a node whose disks are its own files.
    /// </summary>
    private void RequireDiskTransfer(DiskTransfer disk, string mirrorOperation)
    {
        if (disk == DiskTransfer.Shared)
        {
            if (!_options.UsesRbd)
            {
                throw new DriverException(
                    "A migration that shares the disk needs both nodes' disks in one Ceph pool; this node keeps them as its own files (qcow2).",
                    isTransient: false);
            }

            return;
        }

        Disks.Rbd.RbdSettings.RefuseOnRbd(_options, mirrorOperation);
    }

    /// <summary>
    /// Starts a stopped VM's QEMU from its last spec (spec.json beside its disk) paused before the first instruction
    /// (<c>-S</c>), with its taps, for an offline move: the disk is then mirrored like a running VM's, and the guest
    /// never runs on this node again.
    /// </summary>
    private async Task<VmProcessStatus> StartPausedAsync(VmPaths paths, string vmId, CancellationToken cancellationToken)
    {
        var spec = ReadJson<VmSpec>(paths.SpecFile)
            ?? throw new DriverException($"VM {vmId} has no spec on this node (never started here?); it cannot be moved offline.", isTransient: false);
        var template = await _templates.FindAsync(spec.TemplateSha256, cancellationToken)
            ?? throw new DriverException($"VM {vmId}: template {spec.TemplateSha256} is not on this node.", isTransient: false);
        var accelerator = await _accelerators.ResolveAsync(template, cancellationToken);
        var arguments = QemuCommandLineBuilder.BuildPaused(spec, template, paths, accelerator, _options);
        if (template.CloudInit)
        {
            await new CloudInit.CloudInitSeedWriter(_supervisor.Runner, _supervisor.Confinement).WriteAsync(paths, spec, cancellationToken);
        }

        await _vms.PrepareNicsAsync(spec, cancellationToken);
        await _vms.Disks.PrepareLaunchAsync(paths, cancellationToken);
        await _supervisor.LaunchAsync(paths, spec, accelerator, arguments, cancellationToken, resume: false);
        await _vms.AttachStreamNicsAsync(spec, paths, cancellationToken);
        return await _supervisor.InspectAsync(paths, cancellationToken);
    }

    /// <summary>Stops the QEMU an offline move started (hard: the guest never ran) and removes its taps or switch ports.</summary>
    private async Task StopPausedAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        var spec = ReadJson<VmSpec>(paths.SpecFile);
        await _supervisor.StopAsync(paths, StopMode.Hard, TimeSpan.Zero, cancellationToken);
        await _vms.ReleaseNicsAsync(spec?.Nics.Select(n => n.Id) ?? [], cancellationToken);
    }

    /// <summary>Removes an incoming VM: its process, taps or switch ports, disk and files (the VM driver's delete, under our lock).</summary>
    private async Task RemoveIncomingCoreAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        await _tunnels.CloseIncomingAsync(paths.VmId);
        var spec = ReadJson<VmSpec>(paths.SpecFile);
        await _supervisor.StopAsync(paths, StopMode.Hard, TimeSpan.Zero, cancellationToken);
        await _vms.ReleaseNicsAsync(spec?.Nics.Select(n => n.Id) ?? [], cancellationToken);

        await _supervisor.RemoveRuntimeDirectoryAsync(paths);
        _retained.ReturnLent(paths);
        _images.Delete(paths.Disk);
        if (Directory.Exists(paths.DataDirectory))
        {
            Directory.Delete(paths.DataDirectory, recursive: true);
        }
    }

    private async Task CancelCoreAsync(VmPaths paths, OutgoingRecord? record, string? keepRendezvousOf, CancellationToken cancellationToken)
    {
        // First cut this node's connections to the target (its NBD export and its migration listener; ss -K, not QMP).
        // On a cut link or with a frozen or dead target, nothing on them is ever answered: QEMU's NBD client has no
        // I/O timeout, TCP gives up after ~15 min, and a drain at the wrong moment (or the migration's setup) waits
        // for them with QEMU's main loop blocked, so QMP itself stops answering until they fail. Aborted, everything
        // waiting on them fails at once and QMP answers again; the migration is being cancelled anyway.
        // Only this node's ends match (destination = the target's listening ports), also on one host.
        // Through the tunnel, closing it does the same: QEMU's unix connections fail at once.
        await _tunnels.CloseOutgoingAsync(paths.VmId, keepRendezvousOf);
        if (record is not null && !Tunnelled(record.Request.Parameters))
        {
            await AbortConnectionAsync(record.Request.Target.Host, record.Request.Target.NbdPort, cancellationToken);
            await AbortConnectionAsync(record.Request.Target.Host, record.Request.Target.MigrationPort, cancellationToken);
        }

        var status = await _supervisor.InspectAsync(paths, cancellationToken);
        if (status.Pid is null)
        {
            File.Delete(OutgoingFile(paths));
            return;
        }

        var migrate = await _supervisor.ExecuteQmpAsync(paths, "query-migrate", null, cancellationToken);
        var state = migrate?["status"]?.GetValue<string>() ?? "none";
        if (state.StartsWith("postcopy", StringComparison.Ordinal))
        {
            throw new DriverException(
                $"VM {paths.VmId}: the migration is in post-copy; the guest runs on the target and cannot come back.", isTransient: false);
        }

        if (state is "setup" or "active" or "pre-switchover" or "device" or "wait-unplug" or "cancelling")
        {
            await TryQmpAsync(paths, "migrate_cancel", null, cancellationToken);
            await WaitAsync(async () =>
            {
                var now = (await _supervisor.ExecuteQmpAsync(paths, "query-migrate", null, cancellationToken))?["status"]?.GetValue<string>();
                return now is not ("setup" or "active" or "pre-switchover" or "device" or "wait-unplug" or "cancelling");
            }, "migrate_cancel", cancellationToken);
        }

        await EndMirrorAsync(paths, force: true, cancellationToken);
        await _checkin.EndAsync(paths, cancellationToken);
        await TryQmpAsync(paths, "blockdev-del", new JsonObject { ["node-name"] = MigrationQmp.TargetNode }, cancellationToken);
        await TryQmpAsync(paths, "object-del", new JsonObject { ["id"] = MigrationQmp.ClientTlsObject }, cancellationToken);

        // A failed or cancelled migration resumes the guest by itself; one that completed left it paused
        // ("postmigrate") with its disks handed off: cont takes them back and runs the guest here again.
        var runState = (await _supervisor.ExecuteQmpAsync(paths, "query-status", null, cancellationToken))?["status"]?.GetValue<string>();
        if (record?.Request.Offline == true)
        {
            // The VM was stopped before the move: it goes back to stopped (its QEMU only held the disk for the copy).
            await StopPausedAsync(paths, cancellationToken);
            File.Delete(OutgoingFile(paths));
            _logger.OutgoingCancelled(paths.VmId, record.Request.MigrationId, "stopped");
            return;
        }

        if (runState is "postmigrate" or "paused" or "finish-migrate")
        {
            // A move that shared the disk and is taken back: the image is this node's again.
            if (_options.UsesRbd)
            {
                await _vms.Disks.MarkSharedAsync(paths, SharedDiskMark.Owned, cancellationToken);
            }

            await _supervisor.ExecuteQmpAsync(paths, "cont", null, cancellationToken);
            runState = "running";
        }

        File.Delete(OutgoingFile(paths));
        _logger.OutgoingCancelled(paths.VmId, record?.Request.MigrationId, runState ?? "unknown");
    }

    /// <summary>Ends the mirror job (if any) and dismisses it. <paramref name="force"/> abandons a copy in progress;
    /// without it a ready mirror completes without a pivot.</summary>
    private async Task EndMirrorAsync(VmPaths paths, bool force, CancellationToken cancellationToken)
    {
        var mirror = MigrationQmp.FindMirror(await _supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken));
        if (mirror is null)
        {
            return;
        }

        if (mirror.Status is not ("concluded" or "null"))
        {
            await TryQmpAsync(paths, "block-job-cancel", new JsonObject { ["device"] = MigrationQmp.MirrorJobId, ["force"] = force }, cancellationToken);
            await WaitAsync(async () =>
            {
                var now = MigrationQmp.FindMirror(await _supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken));
                return now is null or { Status: "concluded" or "null" };
            }, "block-job-cancel", cancellationToken);
        }

        await TryQmpAsync(paths, "job-dismiss", new JsonObject { ["id"] = MigrationQmp.MirrorJobId }, cancellationToken);
    }

    private async Task<string> WaitForRunStateAsync(VmPaths paths, Func<string, bool> done, CancellationToken cancellationToken)
    {
        var state = "";
        await WaitAsync(async () =>
        {
            state = (await _supervisor.ExecuteQmpAsync(paths, "query-status", null, cancellationToken))?["status"]?.GetValue<string>() ?? "";
            return done(state);
        }, "loading the migrated state", cancellationToken);
        return state;
    }

    private async Task WaitAsync(Func<Task<bool>> done, string what, CancellationToken cancellationToken)
    {
        var limit = SettleTimeout;
        var started = _time.GetTimestamp();
        while (!await done())
        {
            if (_time.GetElapsedTime(started) > limit)
            {
                throw new DriverException($"QEMU did not finish {what} within {limit.TotalSeconds:0} s.", isTransient: true);
            }

            await Task.Delay(PollInterval, _time, cancellationToken);
        }
    }

    /// <summary>Aborts this host's TCP connections to <paramref name="host"/>:<paramref name="port"/> (<c>ss -K</c>,
    /// which needs CONFIG_INET_DIAG_DESTROY; Debian's kernels have it): the owner sees ECONNABORTED at once.</summary>
    private async Task AbortConnectionAsync(string host, int port, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(
            _options.SsBinary,
            ["-K", "dst", host, "dport", "=", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            _options.ToolTimeout,
            cancellationToken);
        _logger.ConnectionAborted(host, port, result.ExitCode);
    }

    /// <summary>A cleanup step that may find nothing to clean (QEMU answers with an error then).</summary>
    private async Task TryQmpAsync(VmPaths paths, string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        try
        {
            await _supervisor.ExecuteQmpAsync(paths, command, arguments, cancellationToken);
        }
        catch (DriverException e) when (!e.IsTransient)
        {
            _logger.CleanupStepSkipped(paths.VmId, command, e.Message);
        }
    }

    /// <summary>
    /// Has QEMU listen on a free port of <paramref name="host"/>: the port is found by binding it here first; if
    /// someone takes it in between, QEMU's bind fails and the next one is tried.
    /// </summary>
    private static async Task<int> ListenAsync(Func<int, Task> listen, string host)
    {
        var address = IPAddress.Parse(host);
        for (var attempt = 1; ; attempt++)
        {
            int port;
            using (var probe = new TcpListener(address, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            try
            {
                await listen(port);
                return port;
            }
            catch (DriverException e) when (attempt < 3 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                // Taken in between; try another.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _probes.DisposeAsync();
        await _tunnels.DisposeAsync();
    }

    /// <summary>
    /// <c>object-add</c> of the node's TLS credentials. An unprivileged QEMU cannot read the node's key (root's, 0600):
    /// it reads a copy its group may read, which exists only for this call (QEMU loads the files when the object is
    /// added). The key then lives in that QEMU's memory, as it did before; the tunnel transport keeps it out of QEMU.
    /// </summary>
    private async Task AddTlsCredentialsAsync(VmPaths paths, string id, bool server, CancellationToken cancellationToken)
    {
        try
        {
            var directory = await _supervisor.Confinement.ShareTlsAsync(paths, TlsDirectory, NodeTlsFiles.All, cancellationToken);
            await _supervisor.ExecuteQmpAsync(paths, "object-add", MigrationQmp.TlsCredentials(id, directory, server), cancellationToken);
        }
        finally
        {
            QemuConfinement.RemoveTlsCopy(paths);
        }
    }

    private static bool Tunnelled(MigrationParameters parameters) => parameters.Transport == MigrationTransport.Tunnel;

    private void RequireTlsFiles()
    {
        var missing = NodeTlsFiles.All.Where(f => !File.Exists(Path.Combine(TlsDirectory, f))).ToList();
        if (missing.Count > 0)
        {
            throw new DriverException(
                $"TLS for migrations needs this node's platform certificate in {TlsDirectory}; missing: {string.Join(", ", missing)}.",
                isTransient: false);
        }
    }

    private static T? ReadJson<T>(string path)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), QemuProcessSupervisor.JsonOptions);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    private static string IncomingFile(VmPaths paths) => Path.Combine(paths.DataDirectory, "incoming.json");

    private static string OutgoingFile(VmPaths paths) => Path.Combine(paths.RuntimeDirectory, "outgoing.json");

    private VmPaths Paths(string vmId) => VmPaths.For(_options, vmId);
}
