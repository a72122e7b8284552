using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Checkout;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>
/// Leases, revive and fencing on a node (ADR 0025). The client keeps each checked-out VM's lease beside its disk and a
/// watch pauses a VM whose lease ran out (its RAM kept; a renewal resumes it), so an expired copy never runs while the
/// Server may revive the machine elsewhere. The deadline is kept twice: as wall time in <c>lease.json</c> (for restarts)
/// and as this process's monotonic timestamp (a clock stepped forward or back while the agent runs moves neither).
/// </summary>
public sealed class CheckoutLeases : IAsyncDisposable
{
    /// <summary>How often the watch looks: a lease is at least 10 s; a second late is well inside the Server's margin
    /// (the renewal's round trip).</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    private readonly QemuDriverOptions _options;
    private readonly QemuVmDriver _vms;
    private readonly QemuProcessSupervisor _supervisor;
    private readonly RetainedCopies _retained;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, long> _monotonicDeadlines = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _watch;

    public CheckoutLeases(
        QemuDriverOptions options, QemuVmDriver vms, QemuProcessSupervisor supervisor, RetainedCopies retained, TimeProvider time, ILogger logger)
    {
        _options = options;
        _vms = vms;
        _supervisor = supervisor;
        _retained = retained;
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts the watch that pauses VMs whose lease ran out. Idempotent.</summary>
    public void StartWatch() => _watch ??= Task.Run(() => WatchAsync(_stop.Token));

    public async Task<CheckoutLease> RenewAsync(string vmId, int epoch, TimeSpan duration, CancellationToken cancellationToken)
    {
        // The deadline counts from the call's arrival, before anything else: the Server counts from the answer's.
        var arrived = _time.GetTimestamp();
        var arrivedAt = _time.GetUtcNow();
        if (!LeaseTerms.InRange(duration))
        {
            throw new DriverException($"VM {vmId}: a lease of {duration} is outside {LeaseTerms.Shortest}..{LeaseTerms.Longest}.", isTransient: false);
        }

        CheckoutLease? renewed = null;
        await _vms.WithVmLockAsync(vmId, async () =>
        {
            var paths = VmPaths.For(_options, vmId);
            if (!File.Exists(paths.Disk))
            {
                throw new DriverException($"VM {vmId} is not on this node; there is no lease to renew.", isTransient: false);
            }

            var current = LeaseFiles.Read(paths);
            if (current is { Fenced: true } || LeaseFiles.FencedCopies(_options, vmId).Any(f => f.Epoch >= epoch))
            {
                throw new DriverException($"VM {vmId}: this copy was fenced; its lease is not renewed.", isTransient: false);
            }

            if (current is not null && current.Epoch > epoch)
            {
                throw new DriverException($"VM {vmId}: this copy belongs to check-out epoch {current.Epoch}, newer than {epoch}.", isTransient: false);
            }

            renewed = new CheckoutLease(vmId, epoch, LeaseTerms.ClientDeadline(arrivedAt, duration));
            LeaseFiles.Write(paths, renewed);
            _monotonicDeadlines[vmId] = arrived + (long)(duration.TotalSeconds * _time.TimestampFrequency);
            if (File.Exists(LeaseFiles.PausedMarker(paths)))
            {
                await _supervisor.ExecuteQmpAsync(paths, "cont", null, cancellationToken);
                File.Delete(LeaseFiles.PausedMarker(paths));
                _logger.LeaseResumed(vmId);
            }
        }, cancellationToken);
        _logger.LeaseRenewed(vmId, epoch, renewed!.ExpiresAt);
        return renewed;
    }

    public CheckoutLease? Get(string vmId) => LeaseFiles.Read(VmPaths.For(_options, vmId));

    /// <summary>Server node: the retained copy becomes the VM's disk (see <see cref="IVmCheckoutDriver.ReviveAsync"/>).</summary>
    public async Task ReviveAsync(string vmId, CancellationToken cancellationToken) =>
        await _vms.WithVmLockAsync(vmId, async () =>
        {
            var vm = VmPaths.For(_options, vmId);
            var record = _retained.Read(vmId);
            if (record is null)
            {
                if (File.Exists(vm.Disk))
                {
                    return; // revived before
                }

                throw new DriverException($"VM {vmId} has no retained copy on this node; there is nothing to revive.", isTransient: false);
            }

            if (record.LentTo is { } lent)
            {
                throw new DriverException($"VM {vmId}: its retained copy is the disk of check-in {lent}; it cannot be revived.", isTransient: false);
            }

            var retained = _retained.Paths(vmId);
            if (!File.Exists(retained.Disk))
            {
                throw new DriverException($"VM {vmId}: the retained copy's disk is missing ({retained.Disk}).", isTransient: false);
            }

            await _retained.CloseExportAsync(vmId, cancellationToken);
            Directory.CreateDirectory(vm.DataDirectory);
            QemuProcessSupervisor.WriteJsonAtomically(vm.SpecFile, record.Spec);
            File.Move(retained.Disk, vm.Disk, overwrite: false);
            _retained.Delete(vmId);
            _logger.Revived(vmId);
        }, cancellationToken);

    /// <summary>Client: fences the VM's copy (see <see cref="IVmCheckoutDriver.FenceAsync"/>).</summary>
    /// <param name="dirtyBytes">Asks the running QEMU what its bitmap marks (null when there is none).</param>
    public async Task<FencedCopy?> FenceAsync(string vmId, int epoch, Func<VmPaths, Task<long?>> dirtyBytes, CancellationToken cancellationToken)
    {
        FencedCopy? fenced = null;
        await _vms.WithVmLockAsync(vmId, async () =>
        {
            var known = LeaseFiles.FencedCopies(_options, vmId).FirstOrDefault(f => f.Epoch == epoch);
            var paths = VmPaths.For(_options, vmId);
            var lease = LeaseFiles.Read(paths);
            if (lease is not null && lease.Epoch > epoch)
            {
                return; // a newer check-out's copy: not this fence's business
            }

            if (!File.Exists(paths.Disk))
            {
                fenced = known;
                return;
            }

            // Marked first: if this process dies below, no start takes the copy again.
            LeaseFiles.Write(paths, new CheckoutLease(vmId, epoch, lease?.ExpiresAt ?? _time.GetUtcNow(), Fenced: true));
            long? written = null;
            if ((await _supervisor.InspectAsync(paths, cancellationToken)).Pid is not null)
            {
                written = await dirtyBytes(paths);
            }

            var nics = (QemuProcessSupervisor.ReadMetadata(paths)?.Spec ?? ReadSpec(paths))?.Nics ?? [];
            await _supervisor.StopAsync(paths, StopMode.Hard, TimeSpan.Zero, cancellationToken);
            await _vms.ReleaseNicsAsync(nics.Select(n => n.Id), cancellationToken);

            var directory = LeaseFiles.FencedDirectory(_options);
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var now = _time.GetUtcNow();
            var name = string.Create(CultureInfo.InvariantCulture, $"{vmId}-e{epoch}-{now.UtcDateTime:yyyyMMddTHHmmssZ}");
            var disk = Path.Combine(directory, name + ".qcow2");
            File.Move(paths.Disk, disk);
            File.SetUnixFileMode(disk, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            fenced = new FencedCopy(vmId, epoch, disk, new FileInfo(disk).Length, written, now);
            QemuProcessSupervisor.WriteJsonAtomically(Path.Combine(directory, name + ".json"), fenced);
            await _supervisor.RemoveRuntimeDirectoryAsync(paths);
            Directory.Delete(paths.DataDirectory, recursive: true);
            _monotonicDeadlines.TryRemove(vmId, out _);
            _logger.Fenced(vmId, epoch, disk, written);
        }, cancellationToken);
        return fenced;
    }

    /// <summary>Client: deletes a fenced copy (see <see cref="IVmCheckoutDriver.DiscardFencedAsync"/>).</summary>
    public async Task<bool> DiscardFencedAsync(string vmId, int epoch, CancellationToken cancellationToken)
    {
        var discarded = false;
        await _vms.WithVmLockAsync(vmId, () =>
        {
            foreach (var copy in LeaseFiles.FencedCopies(_options, vmId).Where(c => c.Epoch == epoch))
            {
                var disk = LeaseFiles.FencedDisk(_options, copy, "not deleted");
                File.Delete(disk);
                File.Delete(Path.ChangeExtension(disk, ".json"));
                _logger.FencedDiscarded(vmId, epoch, disk);
                discarded = true;
            }

            return Task.CompletedTask;
        }, cancellationToken);
        return discarded;
    }

    /// <summary>Client: opens a fenced copy's disk for reading (see <see cref="IVmCheckoutDriver.OpenFencedAsync"/>).</summary>
    public async Task<FencedDiskStream?> OpenFencedAsync(string vmId, int epoch, CancellationToken cancellationToken)
    {
        FencedDiskStream? opened = null;
        // Under the VM's lock only to open: a discard meanwhile then deletes a file already open, whose bytes stay
        // readable to the end (a download started is a download finished), and a fence never writes an existing copy.
        await _vms.WithVmLockAsync(vmId, () =>
        {
            if (LeaseFiles.FencedCopies(_options, vmId).LastOrDefault(c => c.Epoch == epoch) is { } copy)
            {
                var disk = LeaseFiles.FencedDisk(_options, copy, "not sent");
                var stream = new FileStream(disk, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true);
                opened = new FencedDiskStream(vmId, epoch, stream.Length, stream);
                _logger.FencedOpened(vmId, epoch, disk, stream.Length);
            }

            return Task.CompletedTask;
        }, cancellationToken);
        return opened;
    }

    /// <summary>One look of the watch: pauses every running VM whose lease ran out. Returns the VMs it paused.</summary>
    public async Task<IReadOnlyList<string>> PauseExpiredAsync(CancellationToken cancellationToken)
    {
        var paused = new List<string>();
        foreach (var vmId in _supervisor.ListVmIds())
        {
            var paths = VmPaths.For(_options, vmId);
            if (LeaseFiles.Read(paths) is not { } lease || !Expired(lease) || File.Exists(LeaseFiles.PausedMarker(paths)))
            {
                continue;
            }

            try
            {
                await _vms.WithVmLockAsync(vmId, async () =>
                {
                    if (LeaseFiles.Read(paths) is not { } again || !Expired(again) || (await _supervisor.InspectAsync(paths, cancellationToken)).State != VmPowerState.Running)
                    {
                        return;
                    }

                    await _supervisor.ExecuteQmpAsync(paths, "stop", null, cancellationToken);
                    await File.WriteAllTextAsync(LeaseFiles.PausedMarker(paths), again.Epoch.ToString(CultureInfo.InvariantCulture), cancellationToken);
                    _logger.LeaseExpiredPaused(vmId, again.Epoch);
                    paused.Add(vmId);
                }, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.PauseFailed(vmId, e);
            }
        }

        return paused;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_watch is not null)
        {
            await _watch.ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
    }

    /// <summary>Whether a lease ran out: by this process's monotonic clock when it renewed the lease, else by the wall
    /// time kept for restarts (a restarted agent has no other).</summary>
    private bool Expired(CheckoutLease lease) =>
        lease.Fenced || (_monotonicDeadlines.TryGetValue(lease.VmId, out var deadline)
            ? _time.GetTimestamp() >= deadline
            : LeaseTerms.HasExpired(lease.ExpiresAt, _time.GetUtcNow()));

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(WatchInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await PauseExpiredAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.PauseFailed("*", e); // a directory vanished under the listing: the next look lists again
            }
        }
    }

    private static VmSpec? ReadSpec(VmPaths paths)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<VmSpec>(File.ReadAllText(paths.SpecFile), QemuProcessSupervisor.JsonOptions);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
