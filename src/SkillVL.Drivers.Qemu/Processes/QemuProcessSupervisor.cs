using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Identifiers;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Confinement;
using SkillVL.Drivers.Qemu.Qmp;

namespace SkillVL.Drivers.Qemu.Processes;

/// <summary>
/// Launches, observes and stops the daemonised QEMU process of each VM. Holds no state of its own beyond
/// pooled QMP connections: everything it knows comes from the runtime directory (pidfile, vm.json, sockets)
/// and /proc, so a new supervisor in a new SkillVL process re-adopts the VMs an earlier one started.
/// </summary>
public sealed class QemuProcessSupervisor : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>QEMU exits within milliseconds of quit; a process that has not after this long is wedged.</summary>
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>SIGKILL takes effect at once unless the process is stuck in the kernel (D state, e.g. dead NFS).</summary>
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often a wait re-checks the process or the run state when no QMP event wakes it first.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a graceful stop re-reads the run state when no QMP event arrives first.</summary>
    private static readonly TimeSpan RunStatePollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a launch looks for QEMU's pidfile and QMP socket: QEMU sets up in tens of milliseconds.</summary>
    private static readonly TimeSpan LaunchPollInterval = TimeSpan.FromMilliseconds(10);

    private readonly QemuDriverOptions _options;
    private readonly ICommandRunner _runner;
    private readonly QmpConnectionPool _qmp;
    private readonly ProcFs _procFs;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly QemuConfinement _confinement;

    public QemuProcessSupervisor(
        QemuDriverOptions options,
        ICommandRunner runner,
        TimeProvider timeProvider,
        ILogger<QemuProcessSupervisor> logger,
        ProcFs? procFs = null,
        QemuConfinement? confinement = null)
    {
        _confinement = confinement ?? new QemuConfinement(options, runner, logger);
        _options = options;
        _runner = runner;
        _timeProvider = timeProvider;
        _logger = logger;
        _procFs = procFs ?? new ProcFs();
        _qmp = new QmpConnectionPool(options.QmpCommandTimeout, timeProvider, logger);
    }

    /// <summary>
    /// Ids of every VM with a runtime directory or a disk directory of this instance (valid platform ids only,
    /// so a stray directory is never taken for a VM).
    /// </summary>
    public IReadOnlyList<string> ListVmIds()
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var root in new[] { Path.Combine(_options.RuntimeDirectory, "vms"), Path.Combine(_options.DataDirectory, "vms") })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var directory in Directory.EnumerateDirectories(root))
            {
                var name = Path.GetFileName(directory);
                if (ShortId.IsValid(name))
                {
                    ids.Add(name);
                }
            }
        }

        return [.. ids];
    }

    /// <summary>Observes one VM: pidfile, /proc, then QMP query-status for a live process.</summary>
    public async Task<VmProcessStatus> InspectAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        var pid = ProcFs.ReadPidFile(paths.PidFile);
        if (pid is null)
        {
            // No pidfile: never started, stopped by us, or QEMU exited normally (it removes its pidfile then).
            return new VmProcessStatus(VmPowerState.Stopped, null, null, null, null);
        }

        if (!_procFs.IsLiveProcessOf(pid.Value, paths.RuntimeDirectory))
        {
            // The pidfile outlived its process: QEMU was killed or crashed (on a clean exit it removes the file).
            return new VmProcessStatus(VmPowerState.Crashed, null, ReadMetadata(paths), null, null);
        }

        var metadata = ReadMetadata(paths);
        var rss = _procFs.ReadRssBytes(pid.Value);
        var cpu = _procFs.ReadCpuSeconds(pid.Value);
        try
        {
            var status = await QueryStatusAsync(paths, cancellationToken);
            return new VmProcessStatus(QemuRunStates.ToPowerState(status), pid, metadata, rss, status, cpu);
        }
        catch (DriverException e)
        {
            // The process lives; QMP being slow or held by another client does not make the VM stopped.
            _logger.QemuStatusUnknown(paths.VmId, e.Message);
            return new VmProcessStatus(VmPowerState.Running, pid, metadata, rss, null, cpu);
        }
    }

    /// <summary>
    /// Starts QEMU detached (<see cref="QemuLaunchCommand"/>: own session, unprivileged when configured) with
    /// <paramref name="arguments"/> and waits (bounded by <see cref="QemuDriverOptions.LaunchTimeout"/>) until it
    /// answers QMP, which it does once the VM is fully set up; then hands the files it created to root
    /// (<see cref="QemuConfinement.SealAsync"/>) and, with <paramref name="resume"/>, lets the guest run (every QEMU starts
    /// paused, <c>-S</c>). Writes vm.json with a new boot id, or with <paramref name="bootId"/>: an incoming migration's
    /// QEMU carries on the guest that booted on the source.
    /// </summary>
    public async Task<VmRuntimeMetadata> LaunchAsync(
        VmPaths paths,
        VmSpec spec,
        QemuAccelerator accelerator,
        IReadOnlyList<string> arguments,
        CancellationToken cancellationToken,
        string? bootId = null,
        bool resume = true)
    {
        Directory.CreateDirectory(paths.RuntimeDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await _qmp.DropAsync(paths.QmpSocket);
        RemoveProcessFiles(paths);
        await _confinement.PrepareVmAsync(paths, spec.TemplateSha256, cancellationToken);
        var identity = await _confinement.EnsureAsync(cancellationToken);

        // The last run's serial log is root's (sealed): QEMU, which truncates it anyway, makes a new one.
        File.Delete(paths.SerialLog);

        // Root's log file, made here (not by the shell's redirection, which would follow a link planted in the
        // group-writable directory) and opened for appending by the launch.
        File.Delete(paths.QemuLog);
        using (new FileStream(paths.QemuLog, FileMode.CreateNew, FileAccess.Write))
        {
        }

        var (fileName, launch) = QemuLaunchCommand.Build(_options, identity, paths.QemuLog, arguments);
        var started = await _runner.RunAsync(fileName, launch, _options.LaunchTimeout, cancellationToken);
        if (!started.Succeeded
            || !int.TryParse(started.StandardOutput.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var launchPid))
        {
            RemoveProcessFiles(paths);
            throw new DriverException(
                $"QEMU could not be launched for VM {spec.Id} (exit {started.ExitCode}): {Tail(started.StandardError)}", isTransient: false);
        }

        var pid = await WaitUntilUpAsync(paths, spec, launchPid, cancellationToken);
        await _confinement.SealAsync(
            [paths.PidFile, paths.QmpSocket, paths.GuestAgentSocket, paths.VncSocket, paths.SpiceSocket, paths.SerialSocket, paths.SerialLog],
            cancellationToken);
        var metadata = new VmRuntimeMetadata(spec, bootId ?? Guid.NewGuid().ToString("N"), _timeProvider.GetUtcNow(), accelerator.ToQemuName());
        WriteJsonAtomically(paths.MetadataFile, metadata);
        _logger.QemuLaunched(spec.Id, pid);
        if (resume)
        {
            try
            {
                // Every QEMU starts paused (-S): the guest's first instruction runs only now, after the seal.
                await ExecuteQmpAsync(paths, "cont", null, cancellationToken);
            }
            catch (Exception e) when (e is DriverException or OperationCanceledException)
            {
                // A QEMU left paused would read as already started to the next start: stop it, so a retry starts afresh.
                await StopAsync(paths, StopMode.Hard, TimeSpan.Zero, CancellationToken.None);
                throw;
            }
        }

        return metadata;
    }

    /// <summary>
    /// Waits until the launched QEMU (<paramref name="launchPid"/>: the shell that exec'd it keeps its pid) has written
    /// its pidfile and answers QMP; fails with the end of its log as soon as it exits, and kills it when it takes longer
    /// than the launch timeout.
    /// </summary>
    private async Task<int> WaitUntilUpAsync(VmPaths paths, VmSpec spec, int launchPid, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        while (true)
        {
            if (_procFs.HasExited(launchPid, paths.RuntimeDirectory))
            {
                var log = File.Exists(paths.QemuLog) ? await File.ReadAllTextAsync(paths.QemuLog, cancellationToken) : "";
                RemoveProcessFiles(paths);
                throw new DriverException($"QEMU could not start VM {spec.Id}: {Tail(log)}", isTransient: false);
            }

            if (ProcFs.ReadPidFile(paths.PidFile) == launchPid && File.Exists(paths.QmpSocket))
            {
                try
                {
                    // Takes the VM's QMP connection: it proves QEMU's main loop runs, and later calls reuse it.
                    await QueryStatusAsync(paths, cancellationToken);
                    return launchPid;
                }
                catch (DriverException e)
                {
                    // Listening but not answering yet (still setting up), slow, or exiting: the next round tells.
                    _logger.QemuStatusUnknown(spec.Id, e.Message);
                    await _qmp.DropAsync(paths.QmpSocket);
                }
            }

            if (_timeProvider.GetElapsedTime(started) >= _options.LaunchTimeout)
            {
                break;
            }

            await Task.Delay(LaunchPollInterval, _timeProvider, cancellationToken);
        }

        Kill(paths, launchPid);
        RemoveProcessFiles(paths);
        throw new DriverException(
            $"QEMU of VM {spec.Id} did not answer within {_options.LaunchTimeout.TotalSeconds:0.#} s of its launch; stopped it.", isTransient: true);
    }

    /// <summary>Runs one QMP command on the VM's shared connection, bounded by the QMP command timeout.</summary>
    public async Task<JsonNode?> ExecuteQmpAsync(
        VmPaths paths,
        string command,
        JsonObject? arguments,
        CancellationToken cancellationToken)
    {
        var client = await _qmp.GetAsync(paths.QmpSocket, cancellationToken);
        return await client.ExecuteAsync(command, arguments, _options.QmpCommandTimeout, cancellationToken);
    }

    /// <summary>
    /// Stops the VM's process. Graceful presses the ACPI power button and waits up to
    /// <paramref name="gracefulTimeout"/> for the guest to power off; then (or at once for Hard) QMP quit,
    /// and SIGKILL of the pid if it does not exit. Removes the pidfile, which records that the stop was on
    /// purpose (a leftover pidfile without a process means Crashed). Idempotent.
    /// </summary>
    public async Task StopAsync(VmPaths paths, StopMode mode, TimeSpan gracefulTimeout, CancellationToken cancellationToken)
    {
        var status = await InspectAsync(paths, cancellationToken);
        if (status.Pid is { } pid)
        {
            // Only a running guest can react to the power button; a paused, migrating or powered-off one is quit.
            if (mode == StopMode.Graceful && status.State == VmPowerState.Running)
            {
                var poweredOff = await PowerDownAsync(paths, gracefulTimeout, cancellationToken);
                if (!poweredOff)
                {
                    _logger.GracefulStopTimedOut(paths.VmId, gracefulTimeout.TotalSeconds);
                }
            }

            await QuitAsync(paths, pid, cancellationToken);
        }
        else if (ProcFs.ReadPidFile(paths.PidFile) is { } deadPid
                 && !await WaitForExitAsync(paths, deadPid, QuitTimeout, cancellationToken))
        {
            // Crashed, but still tearing down (and holding its disk lock): removing the pidfile now would let
            // a start race the dying process for the disk.
            throw new DriverException($"QEMU of VM {paths.VmId} (pid {deadPid}) is still exiting.", isTransient: true);
        }

        await _qmp.DropAsync(paths.QmpSocket);
        RemoveProcessFiles(paths);
    }

    /// <summary>Removes the VM's runtime directory (after the process is gone).</summary>
    public async Task RemoveRuntimeDirectoryAsync(VmPaths paths)
    {
        await _qmp.DropAsync(paths.QmpSocket);
        if (Directory.Exists(paths.RuntimeDirectory))
        {
            Directory.Delete(paths.RuntimeDirectory, recursive: true);
        }
    }

    /// <summary>Reads vm.json, or null when missing or unreadable.</summary>
    public static VmRuntimeMetadata? ReadMetadata(VmPaths paths)
    {
        try
        {
            using var stream = File.OpenRead(paths.MetadataFile);
            return JsonSerializer.Deserialize<VmRuntimeMetadata>(stream, JsonOptions);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or JsonException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => _qmp.DisposeAsync();

    /// <summary>The QEMU user's processes (ADR 0016) may plant files in a VM's runtime directory.</summary>
    public QemuConfinement Confinement => _confinement;

    /// <summary>Runs the host tools the driver needs besides QEMU (the cloud-init seed's mkfs.vfat and mcopy).</summary>
    public ICommandRunner Runner => _runner;

    internal static void WriteJsonAtomically<T>(string path, T value)
    {
        // The runtime directory is writable by the QEMU group: never follow a link someone planted at the temporary
        // name (CreateNew is O_EXCL), and rename replaces the entry itself, not what it may point to.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, value, JsonOptions);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string Tail(string text)
    {
        // QEMU's own error is the last thing it printed; keep exceptions readable.
        var trimmed = text.Trim();
        return trimmed.Length <= 2000 ? trimmed : trimmed[^2000..];
    }

    private static void RemoveProcessFiles(VmPaths paths)
    {
        if (!Directory.Exists(paths.RuntimeDirectory))
        {
            return;
        }

        foreach (var file in new[] { paths.PidFile, paths.MetadataFile, paths.QmpSocket, paths.GuestAgentSocket, paths.VncSocket, paths.SpiceSocket, paths.SerialSocket })
        {
            File.Delete(file);
        }
    }

    private async Task<string> QueryStatusAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        var reply = await ExecuteQmpAsync(paths, "query-status", null, cancellationToken);
        return reply?["status"]?.GetValue<string>()
            ?? throw new DriverException($"QMP query-status of VM {paths.VmId} answered without a status.", isTransient: true);
    }

    /// <summary>ACPI power button, then wait for run state "shutdown". False when the guest ignored it in time.</summary>
    private async Task<bool> PowerDownAsync(VmPaths paths, TimeSpan timeout, CancellationToken cancellationToken)
    {
        QmpClient client;
        try
        {
            client = await _qmp.GetAsync(paths.QmpSocket, cancellationToken);
            // Events from before the button press say nothing about this shutdown.
            while (client.Events.TryRead(out _))
            {
            }

            await client.ExecuteAsync("system_powerdown", null, _options.QmpCommandTimeout, cancellationToken);
        }
        catch (DriverException e)
        {
            _logger.QemuQuitFailed(paths.VmId, e.Message);
            return false;
        }

        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            while (true)
            {
                if (await QueryStatusAsync(paths, linked.Token) == "shutdown")
                {
                    return true;
                }

                // A SHUTDOWN (or any) event wakes us at once; otherwise re-check after the poll interval.
                using var poll = new CancellationTokenSource(RunStatePollInterval, _timeProvider);
                using var pollLinked = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, poll.Token);
                try
                {
                    await client.Events.WaitToReadAsync(pollLinked.Token);
                    while (client.Events.TryRead(out _))
                    {
                    }
                }
                catch (OperationCanceledException) when (!linked.IsCancellationRequested)
                {
                    // Poll interval passed.
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (DriverException e)
        {
            // QMP went away: QEMU exited (e.g. someone quit it) or broke; the quit step sorts it out.
            _logger.QemuQuitFailed(paths.VmId, e.Message);
            return false;
        }
    }

    private async Task QuitAsync(VmPaths paths, int pid, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteQmpAsync(paths, "quit", null, cancellationToken);
        }
        catch (DriverException e)
        {
            // QEMU often closes the socket before its reply to quit arrives; or QMP is dead and SIGKILL follows.
            _logger.QemuQuitFailed(paths.VmId, e.Message);
        }

        if (await WaitForExitAsync(paths, pid, QuitTimeout, cancellationToken))
        {
            return;
        }

        Kill(paths, pid);
        if (!await WaitForExitAsync(paths, pid, KillTimeout, cancellationToken))
        {
            throw new DriverException($"QEMU of VM {paths.VmId} survived SIGKILL for {KillTimeout.TotalSeconds} s.", isTransient: true);
        }
    }

    /// <summary>SIGKILL to exactly this pid, after checking it is still our QEMU (not a reused pid).</summary>
    internal void Kill(VmPaths paths, int pid)
    {
        if (!_procFs.IsLiveProcessOf(pid, paths.RuntimeDirectory))
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            _logger.QemuKilled(paths.VmId, pid);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    private async Task<bool> WaitForExitAsync(VmPaths paths, int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        while (!_procFs.HasExited(pid, paths.RuntimeDirectory))
        {
            if (_timeProvider.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(PollInterval / 2, _timeProvider, cancellationToken);
        }

        return true;
    }
}
