using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Identifiers;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.CommandLine;
using SkillVL.Drivers.Qemu.Disks;
using SkillVL.Drivers.Qemu.GuestAgent;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu;

/// <summary>
/// <see cref="IVmDriver"/> on local QEMU: one daemonised QEMU process per VM, a qcow2 linked clone of its
/// template as its disk, a tap per NIC on its network's bridge. Operations on one VM are serialised; all of
/// them are idempotent. Backend failures leave as <see cref="DriverException"/> (or the typed errors of the
/// contract), never as QEMU or iproute2 specifics.
/// </summary>
public sealed class QemuVmDriver : IVmDriver, IAsyncDisposable
{
    private static readonly DriverCapabilities DriverCapabilities = new(
        LinkedClones: true,
        GuestAgent: true,
        VncConsole: true,
        SerialConsole: true,
        LiveMigration: true);

    private readonly QemuDriverOptions _options;
    private readonly QemuProcessSupervisor _supervisor;
    private readonly FileTemplateStore _templates;
    private readonly IVmDiskStore _disks; // where the disks live (ADR 0055): Disks
    private readonly TapDevices _taps;
    private readonly Networking.Switching.StreamNetworks? _streams;
    private readonly AcceleratorProbe _accelerators;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _vmLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GuestAgentClient> _agents = new(StringComparer.Ordinal);

    public QemuVmDriver(
        QemuDriverOptions options,
        QemuProcessSupervisor supervisor,
        FileTemplateStore templates,
        QcowImageTool images,
        TapDevices taps,
        AcceleratorProbe accelerators,
        TimeProvider timeProvider,
        ILogger<QemuVmDriver> logger,
        Networking.Switching.StreamNetworks? streams = null,
        IVmDiskStore? disks = null)
    {
        _streams = options.StreamMode
            ? streams ?? throw new ArgumentException("Stream mode needs the node's stream networks.", nameof(streams))
            : null;
        _options = options;
        _supervisor = supervisor;
        _templates = templates;
        _disks = disks ?? new QcowDiskStore(images);
        _taps = taps;
        _accelerators = accelerators;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public DriverCapabilities Capabilities => DriverCapabilities;

    public IVmDiskStore Disks => _disks;

    public Task<IReadOnlyList<VmObservation>> ListAsync(CancellationToken cancellationToken) =>
        TranslateAsync<IReadOnlyList<VmObservation>>(async () =>
        {
            var ids = _supervisor.ListVmIds();
            var observations = await Task.WhenAll(ids.Select(async id =>
            {
                var status = await _supervisor.InspectAsync(Paths(id), cancellationToken);
                var live = status.Pid is not null;
                if (live && status.Metadata is { } running)
                {
                    // Stream mode: the switches live in this process, so a restarted agent plugs the running VMs back in
                    // here, on every pass (idempotent; a network not ensured yet is plugged in on a later pass).
                    await AttachStreamNicsAsync(running.Spec, Paths(id), cancellationToken);
                }

                return new VmObservation(
                    id,
                    status.State,
                    live ? status.Metadata?.Spec.SpecHash : null,
                    live ? status.Metadata?.StartedAt : null,
                    live ? status.Metadata?.BootId : null,
                    status.RssBytes,
                    status.CpuSeconds);
            }));
            return observations;
        });

    public Task EnsureDiskAsync(VmSpec spec, CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            ValidateId(spec.Id);
            await WithVmLockAsync(spec.Id, () => EnsureDiskCoreAsync(spec, cancellationToken), cancellationToken);
        });

    public Task StartAsync(VmSpec spec, CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            ValidateId(spec.Id);
            await WithVmLockAsync(spec.Id, () => StartCoreAsync(spec, cancellationToken), cancellationToken);
        });

    public Task StopAsync(string vmId, StopMode mode, TimeSpan gracefulTimeout, CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            ValidateId(vmId);
            var timeout = gracefulTimeout > TimeSpan.Zero ? gracefulTimeout : _options.GracefulStopTimeout;
            await WithVmLockAsync(vmId, () => StopCoreAsync(vmId, mode, timeout, cancellationToken), cancellationToken);
        });

    public Task ResetAsync(string vmId, CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            ValidateId(vmId);
            await WithVmLockAsync(vmId, async () =>
            {
                var paths = Paths(vmId);
                var status = await _supervisor.InspectAsync(paths, cancellationToken);
                if (status.State is not (VmPowerState.Running or VmPowerState.Paused))
                {
                    throw new InvalidVmStateException(vmId, status.State, "reset");
                }

                await _supervisor.ExecuteQmpAsync(paths, "system_reset", null, cancellationToken);
                _logger.VmReset(vmId);
            }, cancellationToken);
        });

    public Task DeleteAsync(string vmId, CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            ValidateId(vmId);
            await WithVmLockAsync(vmId, async () =>
            {
                var paths = Paths(vmId);
                var nics = KnownNicIds(paths);
                await _supervisor.StopAsync(paths, StopMode.Hard, TimeSpan.Zero, cancellationToken);
                await ReleaseNicsAsync(nics, cancellationToken);
                await _supervisor.RemoveRuntimeDirectoryAsync(paths);
                await _disks.DeleteAsync(paths, cancellationToken);
                if (Directory.Exists(paths.DataDirectory))
                {
                    Directory.Delete(paths.DataDirectory, recursive: true);
                }

                if (_agents.TryRemove(vmId, out var agent))
                {
                    agent.Dispose();
                }

                _logger.VmDeleted(vmId);
            }, cancellationToken);
        });

    public async Task<bool> GuestPingAsync(string vmId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ValidateId(vmId);
        var status = await TranslateAsync(() => _supervisor.InspectAsync(Paths(vmId), cancellationToken));
        if (status.State != VmPowerState.Running)
        {
            return false;
        }

        try
        {
            await Agent(vmId).PingAsync(timeout, cancellationToken);
            return true;
        }
        catch (SkillVlException e) when (e is GuestAgentUnavailableException or DriverException)
        {
            return false;
        }
    }

    public Task<GuestExecResult> GuestExecAsync(
        string vmId,
        IReadOnlyList<string> command,
        TimeSpan timeout,
        CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            ValidateId(vmId);
            await RequireRunningAsync(vmId, "guest exec", cancellationToken);
            return await Agent(vmId).ExecAsync(command, timeout, cancellationToken);
        });

    /// <summary>
    /// The host-local endpoints of a VM's consoles, for the console gateway on this node (never exposed
    /// beyond it): the VNC unix socket and the serial console unix socket.
    /// </summary>
    public VmConsoleEndpoints GetConsoleEndpoints(string vmId)
    {
        ValidateId(vmId);
        var paths = Paths(vmId);
        return new VmConsoleEndpoints(paths.VncSocket, paths.SpiceSocket, paths.SerialSocket, paths.SerialLog);
    }

    /// <summary>Writes the VM's screen (VGA) as a PPM image to <paramref name="ppmPath"/> (QMP screendump).</summary>
    public Task ScreendumpAsync(string vmId, string ppmPath, CancellationToken cancellationToken) =>
        TranslateAsync(async () =>
        {
            ValidateId(vmId);
            await RequireRunningAsync(vmId, "screendump", cancellationToken);
            var paths = Paths(vmId);
            if (!_supervisor.Confinement.Enabled)
            {
                await _supervisor.ExecuteQmpAsync(paths, "screendump", new JsonObject { ["filename"] = ppmPath }, cancellationToken);
                return;
            }

            // An unprivileged QEMU cannot write the caller's path; it writes a file root made in its directory (root's,
            // so QEMU cannot swap it for a link), which root then copies.
            var shared = Path.Combine(paths.RuntimeDirectory, "screendump.ppm");
            File.Delete(shared);
            using (new FileStream(shared, FileMode.CreateNew, FileAccess.Write))
            {
            }

            try
            {
                await _supervisor.Confinement.ShareAsync([shared], cancellationToken);
                await _supervisor.ExecuteQmpAsync(paths, "screendump", new JsonObject { ["filename"] = shared }, cancellationToken);
                File.Copy(shared, ppmPath, overwrite: true);
            }
            finally
            {
                File.Delete(shared);
            }
        });

    /// <summary>
    /// Removes taps of this instance that no known VM owns (left by a crash between creating a tap and writing
    /// the VM's files). Returns the NIC ids of the taps removed.
    /// </summary>
    public Task<IReadOnlyList<string>> SweepOrphanTapsAsync(CancellationToken cancellationToken) =>
        TranslateAsync<IReadOnlyList<string>>(async () =>
        {
            var known = _supervisor.ListVmIds().SelectMany(id => KnownNicIds(Paths(id))).ToHashSet(StringComparer.Ordinal);
            var removed = new List<string>();
            foreach (var nicId in await _taps.ListNicIdsAsync(cancellationToken))
            {
                if (!known.Contains(nicId))
                {
                    await _taps.DeleteAsync(nicId, cancellationToken);
                    _logger.OrphanTapRemoved(InterfaceNames.Tap(nicId));
                    removed.Add(nicId);
                }
            }

            return removed;
        });

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents.Values)
        {
            agent.Dispose();
        }

        _agents.Clear();
        await _supervisor.DisposeAsync();
        foreach (var vmLock in _vmLocks.Values)
        {
            vmLock.Dispose();
        }
    }

    private async Task EnsureDiskCoreAsync(VmSpec spec, CancellationToken cancellationToken)
    {
        var paths = Paths(spec.Id);
        var template = await _templates.FindAsync(spec.TemplateSha256, cancellationToken)
            ?? throw new DriverException(
                $"VM {spec.Id}: template {spec.TemplateSha256} is not on this node; import it first.", isTransient: false);
        await _disks.EnsureAsync(paths, template, cancellationToken);
        QemuProcessSupervisor.WriteJsonAtomically(paths.SpecFile, spec);
    }

    internal async Task StartCoreAsync(VmSpec spec, CancellationToken cancellationToken)
    {
        var paths = Paths(spec.Id);
        var status = await _supervisor.InspectAsync(paths, cancellationToken);
        switch (status.State)
        {
            case VmPowerState.Running or VmPowerState.Paused when status.Pid is not null:
                _logger.VmAlreadyRunning(spec.Id, status.State);
                await AttachStreamNicsAsync(status.Metadata?.Spec ?? spec, paths, cancellationToken);
                return;
            case VmPowerState.ShutOff:
                // The guest powered itself off; the process only holds its last state. Start means boot again.
                _logger.VmShutOffQuit(spec.Id);
                await _supervisor.StopAsync(paths, StopMode.Hard, TimeSpan.Zero, cancellationToken);
                break;
            case VmPowerState.Crashed:
                await _supervisor.StopAsync(paths, StopMode.Hard, TimeSpan.Zero, cancellationToken);
                _logger.StaleCrashedVmCleaned(spec.Id);
                break;
        }

        // A checked-out VM's copy runs only under a valid lease and never once fenced (ADR 0025): every start of a VM
        // passes here (the Server's, a local start, the restore after a reboot).
        if (Checkout.LeaseFiles.StartRefusal(_options, paths, _timeProvider.GetUtcNow()) is { } refusal)
        {
            throw new DriverException(refusal, isTransient: false);
        }

        var started = _timeProvider.GetTimestamp();
        var template = await _templates.FindAsync(spec.TemplateSha256, cancellationToken)
            ?? throw new DriverException(
                $"VM {spec.Id}: template {spec.TemplateSha256} is not on this node; import it first.", isTransient: false);
        var accelerator = await _accelerators.ResolveAsync(template, cancellationToken);

        // Built (and so validated) before anything is created on the host for this VM.
        var arguments = QemuCommandLineBuilder.Build(spec, template, paths, accelerator, _options);
        await EnsureDiskCoreAsync(spec, cancellationToken);
        if (template.CloudInit)
        {
            await new CloudInit.CloudInitSeedWriter(_supervisor.Runner, _supervisor.Confinement).WriteAsync(paths, spec, cancellationToken);
        }

        await _disks.PrepareLaunchAsync(paths, cancellationToken);
        await PrepareNicsAsync(spec, cancellationToken);
        var acceleratorName = accelerator.ToQemuName();
        _logger.VmStarting(spec.Id, acceleratorName);
        var metadata = await _supervisor.LaunchAsync(paths, spec, accelerator, arguments, cancellationToken);
        await AttachStreamNicsAsync(spec, paths, cancellationToken);
        var elapsed = (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;
        _logger.VmStarted(spec.Id, metadata.BootId, elapsed);
    }

    internal async Task StopCoreAsync(string vmId, StopMode mode, TimeSpan gracefulTimeout, CancellationToken cancellationToken)
    {
        var paths = Paths(vmId);
        var nics = KnownNicIds(paths);
        _logger.VmStopping(vmId, mode);
        await _supervisor.StopAsync(paths, mode, gracefulTimeout, cancellationToken);

        // A stopped VM holds no interfaces; Start creates its taps again.
        await ReleaseNicsAsync(nics, cancellationToken);

        _logger.VmStopped(vmId);
    }

    private async Task RequireRunningAsync(string vmId, string operation, CancellationToken cancellationToken)
    {
        var status = await _supervisor.InspectAsync(Paths(vmId), cancellationToken);
        if (status.State != VmPowerState.Running)
        {
            throw new InvalidVmStateException(vmId, status.State, operation);
        }
    }

    /// <summary>
    /// What the VM's NICs need before a QEMU of it starts on this node (a start, a migration's incoming QEMU, an offline
    /// move's paused one): bridge mode, a tap per NIC on its network's bridge; stream mode (ADR 0052), only the networks'
    /// switches, as QEMU makes the sockets itself. Either way the node's own backend: the NIC device (model, MAC, PCI slot)
    /// is the same on every node, the backend is the node's business, so a VM moves between the two modes (ADR 0052).
    /// </summary>
    /// <exception cref="DriverException">A network is not on this node yet (transient: the caller ensures it first).</exception>
    internal async Task PrepareNicsAsync(VmSpec spec, CancellationToken cancellationToken)
    {
        foreach (var nic in spec.Nics)
        {
            if (_streams is null)
            {
                await _taps.EnsureAsync(nic.Id, nic.NetworkId, nic.Mtu, cancellationToken);
            }
            else if (!await _streams.ExistsAsync(nic.NetworkId, cancellationToken))
            {
                throw new DriverException(
                    $"Network {nic.NetworkId} does not exist on this node; ensure the network before starting VMs on it.", isTransient: true);
            }
        }
    }

    /// <summary>Stream mode (ADR 0052): plugs the VM's NICs into their networks' switches (idempotent). Bridge mode: nothing
    /// (the taps were made before QEMU started).</summary>
    internal async Task AttachStreamNicsAsync(VmSpec spec, VmPaths paths, CancellationToken cancellationToken)
    {
        if (_streams is null)
        {
            return;
        }

        foreach (var nic in spec.Nics)
        {
            await _streams.AttachAsync(nic.Id, nic.NetworkId, paths.NicSocket(nic.Id), cancellationToken);
        }
    }

    /// <summary>What a stopped VM's NICs held: their taps, or their ports on the stream switches. Idempotent.</summary>
    internal async Task ReleaseNicsAsync(IEnumerable<string> nicIds, CancellationToken cancellationToken)
    {
        foreach (var nicId in nicIds)
        {
            if (_streams is null)
            {
                await _taps.DeleteAsync(nicId, cancellationToken);
            }
            else
            {
                await _streams.DetachAsync(nicId, cancellationToken);
            }
        }
    }

    /// <summary>NIC ids of the VM from vm.json of its process, else from the last spec kept beside its disk.</summary>
    private static List<string> KnownNicIds(VmPaths paths)
    {
        var spec = QemuProcessSupervisor.ReadMetadata(paths)?.Spec ?? ReadSpecFile(paths);
        return spec?.Nics.Select(n => n.Id).Where(ShortId.IsValid).ToList() ?? [];
    }

    private static VmSpec? ReadSpecFile(VmPaths paths)
    {
        try
        {
            return JsonSerializer.Deserialize<VmSpec>(File.ReadAllText(paths.SpecFile), QemuProcessSupervisor.JsonOptions);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or JsonException)
        {
            return null;
        }
    }

    private GuestAgentClient Agent(string vmId) =>
        _agents.GetOrAdd(vmId, id => new GuestAgentClient(Paths(id).GuestAgentSocket, _timeProvider, _logger));

    private VmPaths Paths(string vmId) => VmPaths.For(_options, vmId);

    internal static void ValidateId(string vmId)
    {
        if (!ShortId.IsValid(vmId))
        {
            throw new ArgumentException($"VM id '{vmId}' is not a 12-hex platform id.", nameof(vmId));
        }
    }

    internal async Task WithVmLockAsync(
        string vmId,
        Func<Task> action,
        CancellationToken cancellationToken,
        [System.Runtime.CompilerServices.CallerMemberName] string operation = "")
    {
        using var scope = _logger.BeginVmOperation(operation, vmId);
        var vmLock = _vmLocks.GetOrAdd(vmId, static _ => new SemaphoreSlim(1, 1));
        await vmLock.WaitAsync(cancellationToken);
        try
        {
            await action();
        }
        finally
        {
            vmLock.Release();
        }
    }

    internal static async Task TranslateAsync(Func<Task> action) =>
        await TranslateAsync(async () =>
        {
            await action();
            return true;
        });

    /// <summary>Translates what the filesystem throws into our error types, once, at the driver's edge.</summary>
    internal static async Task<T> TranslateAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (IOException e)
        {
            // Disk full, a busy file, a vanished directory: the same call later may well succeed.
            throw new DriverException($"File operation failed: {e.Message}", isTransient: true, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DriverException($"Permission denied: {e.Message}", isTransient: false, e);
        }
    }
}
