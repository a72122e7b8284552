using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Checkout;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Disks;
using SkillVL.Drivers.Qemu.Migration.Tunnel;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>
/// <see cref="IVmCheckoutDriver"/> on local QEMU (ADR 0021). The client's QEMU tracks writes in a persistent dirty
/// bitmap on the VM's disk node and syncs with an incremental <c>blockdev-backup</c> into an NBD node that reaches the
/// server node's retained copy through the node tunnel (the client dials, TLS with the platform CA). On the server node
/// a QEMU without a machine (<c>-machine none</c>) holds the retained copy and exports it; it is launched, confined and
/// stopped by the same supervisor as a VM's QEMU.
/// </summary>
public sealed class QemuCheckoutDriver : IVmCheckoutDriver
{
    /// <summary>How often a sync polls its job: a sync takes seconds to minutes; 200 ms is noise on QMP.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>A cancelled backup job ends within its current request (64 KiB..1 MiB): seconds at the slowest link.</summary>
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The tunnel's zstd level for syncs: level 1 costs little CPU; written data that compresses is rare enough.</summary>
    private const int TunnelLevel = 1;

    private readonly QemuDriverOptions _options;
    private readonly QemuVmDriver _vms;
    private readonly QemuProcessSupervisor _supervisor;
    private readonly QcowImageTool _images;
    private readonly ICommandRunner _runner;
    private readonly MigrationTunnels _tunnels;
    private readonly RetainedCopies _retained;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _syncGates = new(StringComparer.Ordinal);

    public QemuCheckoutDriver(
        QemuDriverOptions options,
        QemuVmDriver vms,
        QemuProcessSupervisor supervisor,
        QcowImageTool images,
        ICommandRunner runner,
        MigrationTunnels tunnels,
        RetainedCopies retained,
        TimeProvider time,
        ILogger<QemuCheckoutDriver> logger,
        CheckoutLeases leases)
    {
        Leases = leases;
        _options = options;
        _vms = vms;
        _supervisor = supervisor;
        _images = images;
        _runner = runner;
        _tunnels = tunnels;
        _retained = retained;
        _time = time;
        _logger = logger;
    }

    private string TlsDirectory => NodeTlsFiles.DirectoryOf(_options.DataDirectory);

    public Task<RetainedCopy> RetainAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        Disks.Rbd.RbdSettings.RefuseOnRbd(_options, "Check-out");
        return QemuVmDriver.TranslateAsync(async () =>
        {
            await _vms.WithVmLockAsync(vmId, async () =>
            {
                var vm = VmPaths.For(_options, vmId);
                var retained = _retained.Paths(vmId);
                if (_retained.Read(vmId) is not null && File.Exists(retained.Disk) && !File.Exists(vm.Disk))
                {
                    return; // retained before
                }

                if (File.Exists(Path.Combine(vm.RuntimeDirectory, "outgoing.json")))
                {
                    throw new DriverException($"VM {vmId} is still migrating from this node; complete the migration before retaining its disk.", isTransient: false);
                }

                var status = await _supervisor.InspectAsync(vm, cancellationToken);
                if (status.Pid is not null)
                {
                    // Only the paused husk a completed migration leaves ("postmigrate") may go: a running guest here
                    // would be a second live copy of the VM whose disk we are about to freeze.
                    var runState = (await _supervisor.ExecuteQmpAsync(vm, "query-status", null, cancellationToken))?["status"]?.GetValue<string>();
                    if (runState != "postmigrate")
                    {
                        throw new DriverException(
                            $"VM {vmId} is '{runState}' on this node, not handed over by a completed migration; its disk is not retained.", isTransient: false);
                    }
                }

                var spec = ReadJson<VmSpec>(vm.SpecFile)
                    ?? throw new DriverException($"VM {vmId} has no spec on this node; there is nothing to retain.", isTransient: false);
                if (!File.Exists(vm.Disk))
                {
                    throw new DriverException($"VM {vmId} has no disk on this node; there is nothing to retain.", isTransient: false);
                }

                // Quit, not kill: the migration already flushed and inactivated the image, and quit closes it cleanly.
                await _supervisor.StopAsync(vm, StopMode.Hard, TimeSpan.Zero, cancellationToken);
                await _vms.ReleaseNicsAsync(spec.Nics.Select(n => n.Id), cancellationToken);

                _retained.EnsureRoot();
                Directory.CreateDirectory(retained.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                _retained.Write(vmId, new RetainedRecord(spec, _time.GetUtcNow()));
                File.Move(vm.Disk, retained.Disk, overwrite: true);
                await _supervisor.RemoveRuntimeDirectoryAsync(vm);
                Directory.Delete(vm.DataDirectory, recursive: true);
                _logger.Retained(vmId);
            }, cancellationToken);
            return await DescribeAsync(vmId, cancellationToken)
                ?? throw new DriverException($"VM {vmId}: the retained copy vanished right after it was made.", isTransient: true);
        });
    }

    public Task<RetainedCopy?> GetRetainedAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => DescribeAsync(vmId, cancellationToken));
    }

    public Task<RetainedExport> ExportRetainedAsync(string vmId, string listenAddress, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        ArgumentException.ThrowIfNullOrEmpty(listenAddress);
        return QemuVmDriver.TranslateAsync(async () =>
        {
            RetainedExport? export = null;
            await _vms.WithVmLockAsync(vmId, async () =>
            {
                var paths = _retained.Paths(vmId);
                var record = _retained.Read(vmId);
                if (record is null || record.LentTo is not null || !File.Exists(paths.Disk))
                {
                    throw new DriverException(
                        record?.LentTo is { } lent
                            ? $"VM {vmId}: its retained copy is lent to check-in {lent}; it cannot be exported."
                            : $"VM {vmId} has no retained copy on this node.",
                        isTransient: false);
                }

                if (_retained.OpenExport(vmId) is { } open && (await _supervisor.InspectAsync(paths, cancellationToken)).Pid is not null)
                {
                    export = open;
                    return;
                }

                await _retained.CloseExportAsync(vmId, cancellationToken);
                export = await OpenExportAsync(vmId, record.Spec, listenAddress, cancellationToken);
            }, cancellationToken);
            return export!;
        });
    }

    public Task CloseRetainedExportAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(vmId, () => _retained.CloseExportAsync(vmId, cancellationToken), cancellationToken));
    }

    public Task ReleaseRetainedAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(vmId, async () =>
        {
            if (_retained.Read(vmId)?.LentTo is { } lent)
            {
                throw new DriverException($"VM {vmId}: its retained copy is the disk of check-in {lent}; abort or complete it first.", isTransient: false);
            }

            await _retained.CloseExportAsync(vmId, cancellationToken);
            _retained.Delete(vmId);
        }, cancellationToken));
    }

    public Task StartTrackingAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        Disks.Rbd.RbdSettings.RefuseOnRbd(_options, "Check-out");
        return QemuVmDriver.TranslateAsync(() => _vms.WithVmLockAsync(vmId, async () =>
        {
            var paths = VmPaths.For(_options, vmId);
            var status = await _supervisor.InspectAsync(paths, cancellationToken);
            if (status.Pid is null)
            {
                throw new DriverException($"VM {vmId} is not running on this node; tracking starts when its check-out arrives.", isTransient: false);
            }

            if (await BitmapAsync(paths, cancellationToken) is not null)
            {
                return;
            }

            var runState = (await _supervisor.ExecuteQmpAsync(paths, "query-status", null, cancellationToken))?["status"]?.GetValue<string>();
            if (runState is not ("paused" or "prelaunch"))
            {
                // Running: the guest may already have written blocks no bitmap saw; in-migrate: the image is not active yet.
                throw new DriverException(
                    $"VM {vmId} is '{runState}'; tracking must start after the check-out's state arrived and before the guest resumes.", isTransient: false);
            }

            await _supervisor.ExecuteQmpAsync(paths, "block-dirty-bitmap-add", CheckoutQmp.BitmapAdd(), cancellationToken);
            _logger.TrackingStarted(vmId);
        }, cancellationToken));
    }

    public Task<WriteTracking> GetTrackingAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => TrackingAsync(VmPaths.For(_options, vmId), cancellationToken));
    }

    public async Task<DiskSyncResult> SyncAsync(string vmId, RetainedExport target, DataRate speed, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        ArgumentNullException.ThrowIfNull(target);
        var gate = _syncGates.GetOrAdd(vmId, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await QemuVmDriver.TranslateAsync(() => new CheckoutSync(this, VmPaths.For(_options, vmId), target, speed).RunAsync(cancellationToken));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Leases, revive and fencing on this node (ADR 0025).</summary>
    public CheckoutLeases Leases { get; }

    public Task<CheckoutLease> RenewLeaseAsync(string vmId, int epoch, TimeSpan duration, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => Leases.RenewAsync(vmId, epoch, duration, cancellationToken));
    }

    public Task<CheckoutLease?> GetLeaseAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return Task.FromResult(Leases.Get(vmId));
    }

    public Task ReviveAsync(string vmId, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => Leases.ReviveAsync(vmId, cancellationToken));
    }

    public Task<FencedCopy?> FenceAsync(string vmId, int epoch, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => Leases.FenceAsync(
            vmId, epoch, async paths => (await BitmapAsync(paths, cancellationToken)) is { Inconsistent: false } bitmap ? bitmap.DirtyBytes : null, cancellationToken));
    }

    public Task<bool> DiscardFencedAsync(string vmId, int epoch, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => Leases.DiscardFencedAsync(vmId, epoch, cancellationToken));
    }

    public Task<FencedDiskStream?> OpenFencedAsync(string vmId, int epoch, CancellationToken cancellationToken)
    {
        QemuVmDriver.ValidateId(vmId);
        return QemuVmDriver.TranslateAsync(() => Leases.OpenFencedAsync(vmId, epoch, cancellationToken));
    }

    internal QemuDriverOptions Options => _options;

    internal QemuVmDriver Vms => _vms;

    internal QemuProcessSupervisor Supervisor => _supervisor;

    internal MigrationTunnels Tunnels => _tunnels;

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    internal string NodeTlsDirectory => TlsDirectory;

    internal static TimeSpan JobPollInterval => PollInterval;

    internal static TimeSpan JobCancelTimeout => CancelTimeout;

    internal static int SyncTunnelLevel => TunnelLevel;

    /// <summary>The file that says the next sync must copy the whole overlay; written before an inconsistent bitmap is
    /// replaced, removed after a full copy succeeded, so a crash in between still ends in a full copy.</summary>
    internal static string FullSyncFlag(VmPaths paths) => Path.Combine(paths.DataDirectory, "sync-full-required");

    internal async Task<BitmapState?> BitmapAsync(VmPaths paths, CancellationToken cancellationToken) =>
        CheckoutQmp.FindBitmap(await _supervisor.ExecuteQmpAsync(paths, "query-named-block-nodes", CheckoutQmp.QueryNodes(), cancellationToken));

    internal async Task<WriteTracking> TrackingAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        var flagged = File.Exists(FullSyncFlag(paths));
        var status = await _supervisor.InspectAsync(paths, cancellationToken);
        if (status.Pid is not null)
        {
            var bitmap = await BitmapAsync(paths, cancellationToken);
            if (bitmap is { Inconsistent: true })
            {
                _logger.BitmapInconsistent(paths.VmId);
            }

            return bitmap is null
                ? new WriteTracking(false, 0, false, flagged)
                : new WriteTracking(true, bitmap.DirtyBytes, bitmap.Inconsistent, flagged || bitmap.Inconsistent);
        }

        if (!File.Exists(paths.Disk))
        {
            throw new DriverException($"VM {paths.VmId} has no disk on this node.", isTransient: false);
        }

        // No QEMU: the qcow2's own bitmap directory says whether the bitmap exists and whether its last QEMU closed it.
        var info = await _runner.RunAsync(_options.QemuImgBinary, ["info", "-U", "--output=json", paths.Disk], _options.ToolTimeout, cancellationToken);
        if (!info.Succeeded)
        {
            throw new DriverException($"qemu-img info of {paths.Disk} failed: {info.StandardError.Trim()}", isTransient: false);
        }

        var inUse = CheckoutQmp.BitmapInUseInImage(JsonNode.Parse(info.StandardOutput));
        return inUse is null
            ? new WriteTracking(false, null, false, flagged)
            : new WriteTracking(true, null, inUse.Value, flagged || inUse.Value);
    }

    private async Task<RetainedExport> OpenExportAsync(string vmId, VmSpec spec, string listenAddress, CancellationToken cancellationToken)
    {
        var missing = NodeTlsFiles.All.Where(f => !File.Exists(Path.Combine(TlsDirectory, f))).ToList();
        if (missing.Count > 0)
        {
            throw new DriverException($"A sync needs this node's platform certificate in {TlsDirectory}; missing: {string.Join(", ", missing)}.", isTransient: false);
        }

        var paths = _retained.Paths(vmId);
        try
        {
            await _supervisor.LaunchAsync(paths, spec, QemuAccelerator.Tcg, CheckoutQmp.ExportProcess(paths, _options), cancellationToken, resume: false);
            var socket = Path.Combine(paths.RuntimeDirectory, "sync-nbd.sock");
            await _supervisor.ExecuteQmpAsync(paths, "nbd-server-start", Migration.MigrationQmp.NbdServerStartUnix(socket), cancellationToken);
            await _supervisor.ExecuteQmpAsync(paths, "block-export-add", Migration.MigrationQmp.ExportAdd(vmId), cancellationToken);
            await _supervisor.Confinement.SealAsync([socket], cancellationToken);
            var endpoint = await _tunnels.OpenIncomingAsync(
                RetainedCopies.TunnelKey(vmId), listenAddress, new Dictionary<string, string> { [MigrationTunnels.SyncChannel] = socket },
                TunnelLevel, TlsDirectory);
            var export = new RetainedExport(listenAddress, endpoint.Port, endpoint.Token, listenAddress);
            _retained.RememberExport(vmId, export);
            _logger.Exported(vmId, listenAddress, endpoint.Port);
            return export;
        }
        catch
        {
            await _retained.CloseExportAsync(vmId, CancellationToken.None);
            throw;
        }
    }

    private async Task<RetainedCopy?> DescribeAsync(string vmId, CancellationToken cancellationToken)
    {
        var record = _retained.Read(vmId);
        if (record is null)
        {
            return null;
        }

        var disk = record.LentTo is null ? _retained.Paths(vmId).Disk : VmPaths.For(_options, vmId).Disk;
        var info = File.Exists(disk) ? await _images.InfoAsync(disk, cancellationToken) : null;
        return new RetainedCopy(vmId, record.RetainedAt, info?.VirtualSizeBytes ?? 0, info?.ActualSizeBytes ?? 0, _retained.OpenExport(vmId) is not null, record.LentTo is not null);
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
}
