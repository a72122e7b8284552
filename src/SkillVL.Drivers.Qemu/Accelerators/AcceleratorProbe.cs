using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Identifiers;
using SkillVL.Drivers.Qemu.CommandLine;
using SkillVL.Drivers.Qemu.Disks;
using SkillVL.Drivers.Qemu.GuestAgent;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu.Accelerators;

/// <summary>
/// Decides between KVM and TCG. <c>/dev/kvm</c> existing is not enough: under nested virtualisation KVM can
/// hang a guest at boot while QEMU itself starts fine, so <c>auto</c> boots the template once under KVM and
/// only trusts KVM when the guest reaches a login prompt or its agent answers in time. The outcome is kept
/// in <c>&lt;data&gt;/accelerator.json</c>, keyed by QEMU version and kernel, so the probe runs once per host.
/// </summary>
public sealed class AcceleratorProbe : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AgentPingTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Probe guests need no more; the tiny guest runs in 64 MiB.</summary>
    private const long ProbeMemoryBytes = 128L * 1024 * 1024;

    private readonly QemuDriverOptions _options;
    private readonly ICommandRunner _runner;
    private readonly QemuProcessSupervisor _supervisor;
    private readonly QcowImageTool _images;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _kvmDevice;
    private readonly SemaphoreSlim _once = new(1, 1);
    private QemuAccelerator? _resolved;

    public AcceleratorProbe(
        QemuDriverOptions options,
        ICommandRunner runner,
        QemuProcessSupervisor supervisor,
        QcowImageTool images,
        TimeProvider timeProvider,
        ILogger<AcceleratorProbe> logger,
        string kvmDevice = "/dev/kvm")
    {
        _options = options;
        _runner = runner;
        _supervisor = supervisor;
        _images = images;
        _timeProvider = timeProvider;
        _logger = logger;
        _kvmDevice = kvmDevice;
    }

    public string CacheFile => Path.Combine(_options.DataDirectory, "accelerator.json");

    /// <summary>The accelerator decided so far in this process, or null before the first start.</summary>
    public QemuAccelerator? Current => _resolved;

    /// <summary>The accelerator VMs of <paramref name="template"/> should run under (probing at most once).</summary>
    public async Task<QemuAccelerator> ResolveAsync(TemplateFiles template, CancellationToken cancellationToken)
    {
        if (_resolved is { } known)
        {
            return known;
        }

        await _once.WaitAsync(cancellationToken);
        try
        {
            _resolved ??= await DecideAsync(template, cancellationToken);
            return _resolved.Value;
        }
        finally
        {
            _once.Release();
        }
    }

    public void Dispose() => _once.Dispose();

    private async Task<QemuAccelerator> DecideAsync(TemplateFiles template, CancellationToken cancellationToken)
    {
        switch (AcceleratorModes.Parse(_options.Accelerator))
        {
            case AcceleratorMode.Kvm:
                _logger.AcceleratorForced("kvm");
                return QemuAccelerator.Kvm;
            case AcceleratorMode.Tcg:
                _logger.AcceleratorForced("tcg");
                return QemuAccelerator.Tcg;
        }

        if (!File.Exists(_kvmDevice))
        {
            _logger.KvmMissing();
            return QemuAccelerator.Tcg;
        }

        var version = await QemuVersionAsync(cancellationToken);
        var kernelSha = template.KernelSha256 ?? template.Sha256;
        if (ReadCache() is { } cached && cached.QemuVersion == version && cached.KernelSha256 == kernelSha
            && AcceleratorModes.ParseQemuName(cached.Accelerator) is { } cachedAccelerator)
        {
            _logger.AcceleratorCached(cached.Accelerator, version);
            return cachedAccelerator;
        }

        _logger.AcceleratorProbing(kernelSha);
        var started = _timeProvider.GetTimestamp();
        var accelerator = await ProbeKvmAsync(template, cancellationToken) ? QemuAccelerator.Kvm : QemuAccelerator.Tcg;
        var elapsed = _timeProvider.GetElapsedTime(started);
        var name = accelerator.ToQemuName();
        _logger.AcceleratorProbed(name, elapsed);
        Directory.CreateDirectory(_options.DataDirectory);
        QemuProcessSupervisor.WriteJsonAtomically(
            CacheFile, new AcceleratorProbeResult(version, kernelSha, name, _timeProvider.GetUtcNow()));
        return accelerator;
    }

    private AcceleratorProbeResult? ReadCache()
    {
        try
        {
            return JsonSerializer.Deserialize<AcceleratorProbeResult>(File.ReadAllText(CacheFile), QemuProcessSupervisor.JsonOptions);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or JsonException)
        {
            return null;
        }
    }

    private async Task<string> QemuVersionAsync(CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(_options.QemuBinary, ["--version"], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"{_options.QemuBinary} --version failed: {result.StandardError.Trim()}", isTransient: false);
        }

        return result.StandardOutput.Split('\n', 2)[0].Trim();
    }

    /// <summary>Boots the template under KVM without NICs on a throwaway overlay; true when it comes up in time.</summary>
    private async Task<bool> ProbeKvmAsync(TemplateFiles template, CancellationToken cancellationToken)
    {
        var probeId = ShortId.New();
        var paths = new VmPaths(
            probeId,
            Path.Combine(_options.RuntimeDirectory, "probe", probeId),
            Path.Combine(_options.DataDirectory, "probe", probeId));
        var spec = new VmSpec(probeId, "kvm-probe", template.Sha256, 1, ProbeMemoryBytes, [], "probe");
        try
        {
            await _images.CreateLinkedCloneAsync(template.DiskPath, paths.Disk, cancellationToken);
            // No cloud-init seed: the probe only asks whether the guest boots, and cloud-init without one goes on (None).
            var arguments = QemuCommandLineBuilder.Build(spec, template with { CloudInit = false }, paths, QemuAccelerator.Kvm, _options, fileDisk: true);
            await _supervisor.LaunchAsync(paths, spec, QemuAccelerator.Kvm, arguments, cancellationToken);
            return await WaitForGuestAsync(paths, cancellationToken);
        }
        catch (DriverException e)
        {
            _logger.KvmProbeFailed(e.Message);
            return false;
        }
        finally
        {
            await _supervisor.StopAsync(paths, StopMode.Hard, TimeSpan.Zero, CancellationToken.None);
            await _supervisor.RemoveRuntimeDirectoryAsync(paths);
            if (Directory.Exists(paths.DataDirectory))
            {
                Directory.Delete(paths.DataDirectory, recursive: true);
            }
        }
    }

    private async Task<bool> WaitForGuestAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        using var agent = new GuestAgentClient(paths.GuestAgentSocket, _timeProvider, _logger);
        var started = _timeProvider.GetTimestamp();
        while (_timeProvider.GetElapsedTime(started) < _options.AcceleratorProbeTimeout)
        {
            if (File.Exists(paths.SerialLog)
                && (await File.ReadAllTextAsync(paths.SerialLog, cancellationToken)).Contains("login:", StringComparison.Ordinal))
            {
                return true;
            }

            try
            {
                await agent.PingAsync(AgentPingTimeout, cancellationToken);
                return true;
            }
            catch (Exception e) when (e is GuestAgentUnavailableException or DriverException)
            {
                await Task.Delay(PollInterval, _timeProvider, cancellationToken);
            }
        }

        return false;
    }
}
