using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Snapshots;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Snapshots;

/// <summary>
/// Snapshots as qcow2 internal snapshots in the VM's own overlay (ADR 0051): the memory state lives in the same file,
/// so a snapshot moves, backs up and is deleted with the disk and needs no second file. While QEMU runs, everything
/// goes through QMP (QEMU holds the image's write lock); while it does not, through <c>qemu-img snapshot</c>. Every
/// call holds the VM's lock, so a start, stop or delete never meets a half-taken snapshot.
/// </summary>
public sealed class QemuSnapshotDriver : IVmSnapshotDriver
{
    /// <summary>How often a snapshot job is polled; saving 1 GiB of RAM takes seconds, so a tenth of one is plenty.</summary>
    private static readonly TimeSpan JobPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly QemuDriverOptions _options;
    private readonly QemuVmDriver _vms;
    private readonly QemuProcessSupervisor _supervisor;
    private readonly ICommandRunner _runner;
    private readonly Disks.QcowImageTool _images;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public QemuSnapshotDriver(
        QemuDriverOptions options,
        QemuVmDriver vms,
        QemuProcessSupervisor supervisor,
        ICommandRunner runner,
        Disks.QcowImageTool images,
        TimeProvider time,
        ILogger<QemuSnapshotDriver> logger)
    {
        _options = options;
        _vms = vms;
        _supervisor = supervisor;
        _runner = runner;
        _images = images;
        _time = time;
        _logger = logger;
    }

    public Task<IReadOnlyList<VmSnapshot>> ListAsync(string vmId, CancellationToken cancellationToken) =>
        QemuVmDriver.TranslateAsync(async () =>
        {
            QemuVmDriver.ValidateId(vmId);
            IReadOnlyList<VmSnapshot> list = [];
            await _vms.WithVmLockAsync(vmId, async () => list = await ListCoreAsync(Paths(vmId), cancellationToken), cancellationToken);
            return list;
        });

    public Task<VmSnapshot> CreateAsync(string vmId, string name, bool withRam, CancellationToken cancellationToken) =>
        QemuVmDriver.TranslateAsync(async () =>
        {
            QemuVmDriver.ValidateId(vmId);
            Disks.Rbd.RbdSettings.RefuseOnRbd(_options, "A VM snapshot");
            ValidateName(name);
            VmSnapshot? created = null;
            await _vms.WithVmLockAsync(vmId, async () =>
            {
                var paths = Paths(vmId);
                var started = _time.GetTimestamp();
                var status = await _supervisor.InspectAsync(paths, cancellationToken);
                RequireDisk(paths);
                var existing = await ListCoreAsync(paths, cancellationToken);
                if (existing.Any(s => s.Name == name))
                {
                    throw new DriverException($"VM {vmId} already has a snapshot named '{name}'.", isTransient: false);
                }

                // What the file holds now is what this snapshot pins once the guest has overwritten it all.
                var allocated = (await _images.InfoAsync(paths.Disk, cancellationToken)).ActualSizeBytes;
                var diskBytes = Math.Max(0, allocated - existing.Sum(s => s.VmStateBytes));

                if (withRam && status.State is not (VmPowerState.Running or VmPowerState.Paused))
                {
                    throw new InvalidVmStateException(vmId, status.State, "a snapshot with RAM");
                }

                if (HasProcess(status))
                {
                    if (withRam)
                    {
                        await RunJobAsync(paths, "snapshot-save", SnapshotQmp.SaveOrLoad(name), cancellationToken);
                    }
                    else
                    {
                        await _supervisor.ExecuteQmpAsync(paths, "blockdev-snapshot-internal-sync", SnapshotQmp.DiskOnly(name), cancellationToken);
                    }
                }
                else
                {
                    await RunImageAsync("-c", name, paths, cancellationToken);
                }

                created = ((await ListCoreAsync(paths, cancellationToken)).SingleOrDefault(s => s.Name == name)
                    ?? throw new DriverException($"VM {vmId}: snapshot '{name}' is not on its disk after it was taken.", isTransient: false))
                    with { DiskBytes = diskBytes };
                var elapsed = (long)_time.GetElapsedTime(started).TotalMilliseconds;
                _logger.SnapshotCreated(vmId, name, withRam, elapsed);
            }, cancellationToken);
            return created!;
        });

    public Task RevertAsync(string vmId, string name, CancellationToken cancellationToken) =>
        QemuVmDriver.TranslateAsync(async () =>
        {
            QemuVmDriver.ValidateId(vmId);
            Disks.Rbd.RbdSettings.RefuseOnRbd(_options, "Reverting to a VM snapshot");
            ValidateName(name);
            await _vms.WithVmLockAsync(vmId, async () =>
            {
                var paths = Paths(vmId);
                var started = _time.GetTimestamp();
                RequireDisk(paths);
                var snapshot = (await ListCoreAsync(paths, cancellationToken)).SingleOrDefault(s => s.Name == name)
                    ?? throw new DriverException($"VM {vmId} has no snapshot named '{name}'.", isTransient: false);
                var status = await _supervisor.InspectAsync(paths, cancellationToken);
                string how;
                if (snapshot.WithRam && status.State is VmPowerState.Running or VmPowerState.Paused)
                {
                    // snapshot-load stops the guest, loads memory, devices and disk, and runs it again if it ran.
                    await RunJobAsync(paths, "snapshot-load", SnapshotQmp.SaveOrLoad(name), cancellationToken);
                    how = "memory and disk";
                }
                else if (HasProcess(status))
                {
                    // QEMU cannot revert an open disk without a memory state to go with it: the guest would run on a disk
                    // that changed under it. So: off, revert the file, boot again (like pulling the plug, then a start).
                    var spec = QemuProcessSupervisor.ReadMetadata(paths)?.Spec
                        ?? throw new DriverException($"VM {vmId}: its running spec (vm.json) is unreadable; stop it and revert again.", isTransient: false);
                    var boot = status.State is VmPowerState.Running or VmPowerState.Paused;
                    await _vms.StopCoreAsync(vmId, StopMode.Hard, TimeSpan.Zero, cancellationToken);
                    await RunImageAsync("-a", name, paths, cancellationToken);
                    if (boot)
                    {
                        await _vms.StartCoreAsync(spec, cancellationToken);
                    }

                    how = boot ? "disk, booted again" : "disk";
                }
                else
                {
                    await RunImageAsync("-a", name, paths, cancellationToken);
                    how = "disk of a stopped VM";
                }

                var elapsed = (long)_time.GetElapsedTime(started).TotalMilliseconds;
                _logger.SnapshotReverted(vmId, name, how, elapsed);
            }, cancellationToken);
        });

    public Task<bool> DeleteAsync(string vmId, string name, CancellationToken cancellationToken) =>
        QemuVmDriver.TranslateAsync(async () =>
        {
            QemuVmDriver.ValidateId(vmId);
            ValidateName(name);
            var deleted = false;
            await _vms.WithVmLockAsync(vmId, async () =>
            {
                var paths = Paths(vmId);
                if (!File.Exists(paths.Disk) || (await ListCoreAsync(paths, cancellationToken)).All(s => s.Name != name))
                {
                    return;
                }

                if (HasProcess(await _supervisor.InspectAsync(paths, cancellationToken)))
                {
                    await RunJobAsync(paths, "snapshot-delete", SnapshotQmp.Delete(name), cancellationToken);
                }
                else
                {
                    await RunImageAsync("-d", name, paths, cancellationToken);
                }

                deleted = true;
                _logger.SnapshotDeleted(vmId, name);
            }, cancellationToken);
            return deleted;
        });

    /// <summary>A QEMU process holds the disk (and its lock): Running, Paused or ShutOff (the guest powered off).</summary>
    private static bool HasProcess(VmProcessStatus status) =>
        status.Pid is not null && status.State is VmPowerState.Running or VmPowerState.Paused or VmPowerState.ShutOff;

    private static void ValidateName(string name)
    {
        if (!SnapshotNames.IsValid(name))
        {
            throw new ArgumentException($"Snapshot name '{name}' is not a slug of at most {SnapshotNames.MaxLength} characters.", nameof(name));
        }
    }

    private static void RequireDisk(VmPaths paths)
    {
        if (!File.Exists(paths.Disk))
        {
            throw new DriverException($"VM {paths.VmId} has no disk on this node.", isTransient: false);
        }
    }

    private async Task<IReadOnlyList<VmSnapshot>> ListCoreAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        if (!File.Exists(paths.Disk))
        {
            return [];
        }

        if (HasProcess(await _supervisor.InspectAsync(paths, cancellationToken)))
        {
            return SnapshotQmp.FromNamedBlockNodes(
                await _supervisor.ExecuteQmpAsync(paths, "query-named-block-nodes", new JsonObject { ["flat"] = true }, cancellationToken));
        }

        var result = await _runner.RunAsync(
            _options.QemuImgBinary, ["info", "-f", "qcow2", "--output=json", paths.Disk], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"qemu-img info of {paths.Disk} failed: {result.StandardError.Trim()}", isTransient: false);
        }

        return SnapshotQmp.FromImageInfo(JsonNode.Parse(result.StandardOutput));
    }

    private async Task RunImageAsync(string operation, string name, VmPaths paths, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(
            _options.QemuImgBinary, SnapshotQmp.ImageArguments(operation, name, paths.Disk), _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"qemu-img snapshot {operation} {name} of VM {paths.VmId} failed: {result.StandardError.Trim()}", isTransient: false);
        }
    }

    /// <summary>
    /// Starts a snapshot job and waits until it concludes (the jobs need an explicit dismiss, so their error can be read);
    /// a job left by an earlier, interrupted call is dismissed first. QEMU's error becomes the exception's message.
    /// </summary>
    private async Task RunJobAsync(VmPaths paths, string command, JsonObject arguments, CancellationToken cancellationToken)
    {
        await DismissAsync(paths, quiet: true, cancellationToken);
        await _supervisor.ExecuteQmpAsync(paths, command, arguments, cancellationToken);
        while (true)
        {
            var job = SnapshotQmp.FindJob(await _supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken))
                ?? throw new DriverException($"VM {paths.VmId}: the {command} job vanished (QEMU restarted?).", isTransient: true);
            if (job.Status is "concluded" or "null")
            {
                await DismissAsync(paths, quiet: false, cancellationToken);
                if (job.Error is { } error)
                {
                    throw new DriverException($"VM {paths.VmId}: {command} failed: {error}", isTransient: false);
                }

                return;
            }

            await Task.Delay(JobPollInterval, _time, cancellationToken);
        }
    }

    private async Task DismissAsync(VmPaths paths, bool quiet, CancellationToken cancellationToken)
    {
        try
        {
            if (SnapshotQmp.FindJob(await _supervisor.ExecuteQmpAsync(paths, "query-jobs", null, cancellationToken)) is { Status: "concluded" })
            {
                await _supervisor.ExecuteQmpAsync(paths, "job-dismiss", new JsonObject { ["id"] = SnapshotQmp.JobId }, cancellationToken);
            }
        }
        catch (DriverException e) when (quiet)
        {
            _logger.LeftoverJobNotDismissed(paths.VmId, e);
        }
    }

    private VmPaths Paths(string vmId) => VmPaths.For(_options, vmId);
}
