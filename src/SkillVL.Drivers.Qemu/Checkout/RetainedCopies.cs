using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Checkout;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Migration.Tunnel;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>
/// Where a server node keeps the retained copies of checked-out VMs: <c>&lt;data&gt;/retained/&lt;vm&gt;/disk.qcow2</c>
/// with <c>retained.json</c> (<see cref="RetainedRecord"/>), outside <c>&lt;data&gt;/vms</c> so the VM driver never takes
/// one for a VM (no reconcile deletes it as an orphan, no start uses it). An export's QEMU uses
/// <c>&lt;runtime&gt;/retained/&lt;vm&gt;/</c> as its runtime directory. Shared by the check-out driver and the migration
/// driver's check-in hooks (lend the copy to the incoming VM, give it back on abort, end it on completion).
/// </summary>
public sealed class RetainedCopies
{
    private readonly QemuDriverOptions _options;
    private readonly QemuProcessSupervisor _supervisor;
    private readonly MigrationTunnels _tunnels;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RetainedExport> _exports = new(StringComparer.Ordinal);

    public RetainedCopies(QemuDriverOptions options, QemuProcessSupervisor supervisor, MigrationTunnels tunnels, ILogger<RetainedCopies> logger)
    {
        _options = options;
        _supervisor = supervisor;
        _tunnels = tunnels;
        _logger = logger;
    }

    /// <summary>The retained copy's files as a <see cref="VmPaths"/>: its disk is <see cref="VmPaths.Disk"/>, and the
    /// export's QEMU keeps its pidfile and sockets in <see cref="VmPaths.RuntimeDirectory"/>.</summary>
    public VmPaths Paths(string vmId) => new(
        vmId, Path.Combine(_options.RuntimeDirectory, "retained", vmId), Path.Combine(_options.DataDirectory, "retained", vmId));

    /// <summary>The incoming tunnel of a retained copy's export (a VM may also have a migration tunnel on this node).</summary>
    public static string TunnelKey(string vmId) => vmId + "-sync";

    public RetainedRecord? Read(string vmId)
    {
        try
        {
            return JsonSerializer.Deserialize<RetainedRecord>(File.ReadAllText(RecordFile(Paths(vmId))), QemuProcessSupervisor.JsonOptions);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    public void Write(string vmId, RetainedRecord record) => QemuProcessSupervisor.WriteJsonAtomically(RecordFile(Paths(vmId)), record);

    /// <summary>Makes the retained copies' directory: root's, others may pass but not list it (as <c>&lt;data&gt;/vms</c>).</summary>
    public void EnsureRoot()
    {
        var root = Path.Combine(_options.DataDirectory, "retained");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public RetainedExport? OpenExport(string vmId) =>
        _exports.TryGetValue(vmId, out var export) && _tunnels.HasIncoming(TunnelKey(vmId)) ? export : null;

    public void RememberExport(string vmId, RetainedExport export) => _exports[vmId] = export;

    /// <summary>Closes the export: the tunnel (its connections fail at once), then the QEMU holding the disk (quit:
    /// it flushes and closes the qcow2). Idempotent.</summary>
    public async Task CloseExportAsync(string vmId, CancellationToken cancellationToken)
    {
        var paths = Paths(vmId);
        var had = _exports.TryRemove(vmId, out _) | _tunnels.HasIncoming(TunnelKey(vmId)) | Directory.Exists(paths.RuntimeDirectory);
        await _tunnels.CloseIncomingAsync(TunnelKey(vmId));
        await _supervisor.StopAsync(paths, StopMode.Hard, TimeSpan.Zero, cancellationToken);
        await _supervisor.RemoveRuntimeDirectoryAsync(paths);
        if (had)
        {
            _logger.ExportClosed(vmId);
        }
    }

    /// <summary>
    /// Check-in, target: moves the retained copy to <paramref name="disk"/> (the incoming VM's disk) and records that
    /// <paramref name="migrationId"/> has it. Closes its export first (the export's QEMU holds the image's lock).
    /// </summary>
    public async Task LendAsync(string vmId, string migrationId, string disk, CancellationToken cancellationToken)
    {
        var record = Read(vmId)
            ?? throw new DriverException($"VM {vmId} has no retained copy on this node; a check-in needs one.", isTransient: false);
        if (record.LentTo is not null && record.LentTo != migrationId && File.Exists(disk))
        {
            throw new DriverException($"VM {vmId}: its retained copy is lent to check-in {record.LentTo}.", isTransient: false);
        }

        await CloseExportAsync(vmId, cancellationToken);
        var paths = Paths(vmId);
        if (File.Exists(paths.Disk))
        {
            // Record first: if this process dies between the two, the abort of the check-in finds the record and the
            // disk at one of the two places.
            Write(vmId, record with { LentTo = migrationId });
            File.Move(paths.Disk, disk);
        }
        else if (!File.Exists(disk))
        {
            throw new DriverException($"VM {vmId}: the retained copy's disk is missing ({paths.Disk}).", isTransient: false);
        }

        _logger.Lent(vmId, migrationId);
    }

    /// <summary>Check-in aborted, target: moves the lent disk back from the incoming VM's directory. No-op when the
    /// VM's disk is not a lent retained copy.</summary>
    public void ReturnLent(VmPaths vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var record = Read(vm.VmId);
        if (record?.LentTo is not { } migrationId)
        {
            return;
        }

        var paths = Paths(vm.VmId);
        if (File.Exists(vm.Disk) && !File.Exists(paths.Disk))
        {
            File.Move(vm.Disk, paths.Disk);
        }

        Write(vm.VmId, record with { LentTo = null });
        _logger.Returned(vm.VmId, migrationId);
    }

    /// <summary>Check-in completed, target: the lent copy is the VM's live disk now; the retained copy ends.</summary>
    public void EndLent(string vmId)
    {
        if (Read(vmId)?.LentTo is null)
        {
            return;
        }

        Delete(vmId);
    }

    /// <summary>Removes the retained copy's directory (disk and record).</summary>
    public void Delete(string vmId)
    {
        var paths = Paths(vmId);
        if (Directory.Exists(paths.DataDirectory))
        {
            Directory.Delete(paths.DataDirectory, recursive: true);
            _logger.Released(vmId);
        }
    }

    private static string RecordFile(VmPaths paths) => Path.Combine(paths.DataDirectory, "retained.json");
}
