using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu.Confinement;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu.Disks.Rbd;

/// <summary>
/// VM disks in a Ceph RBD pool through the <c>rbd</c> CLI (ADR 0055): a template's qcow2 is converted to a raw image once
/// per pool (<c>tpl-&lt;sha256&gt;</c>, snapshot <c>base</c>, protected), each VM's disk is an <c>rbd clone</c> of that
/// snapshot (<c>vm-&lt;vmId&gt;</c>) that QEMU opens with its rbd driver. Deleting a VM removes its clone only; templates
/// stay for the next VM. Every call is bounded (<see cref="RbdSettings.ToolArguments"/>).
/// </summary>
public sealed class RbdDiskStore : IVmDiskStore
{
    /// <summary>A template's import copies its whole disk over the network: bounded, but far longer than one rbd call.</summary>
    private static readonly TimeSpan ImportTimeout = TimeSpan.FromMinutes(30);

    private readonly QemuDriverOptions _options;
    private readonly ICommandRunner _runner;
    private readonly QemuConfinement _confinement;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _imports = new(StringComparer.Ordinal);

    public RbdDiskStore(QemuDriverOptions options, ICommandRunner runner, QemuConfinement confinement, ILogger<RbdDiskStore> logger)
    {
        _options = options;
        _runner = runner;
        _confinement = confinement;
        _logger = logger;
    }

    /// <summary>The pool reachable (<c>rbd ls</c>), then the cluster's fsid (<c>ceph fsid</c>, which <c>profile rbd</c>'s
    /// monitor read cap allows): nodes with the same fsid and pool open the same images (ADR 0055, shared pool).</summary>
    public async Task<NodeStorage?> ProbeAsync(CancellationToken cancellationToken)
    {
        ReadKey();
        var result = await RbdAsync(["ls", "--format", "json", _options.RbdPool], cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException(RbdSettings.Describe(_options, "The RBD disk store cannot be used", result), isTransient: true);
        }

        var fsid = await _runner.RunAsync(_options.CephBinary, RbdSettings.FsidArguments(_options), _options.ToolTimeout, cancellationToken);
        var storage = fsid.Succeeded ? RbdSettings.Storage(_options, fsid.StandardOutput) : null;
        if (storage is null)
        {
            throw new DriverException(
                $"The Ceph cluster's fsid cannot be read as client.{_options.CephUser} (ceph fsid exited {fsid.ExitCode}: "
                + $"{(fsid.StandardError.Trim().Length > 0 ? fsid.StandardError.Trim() : fsid.StandardOutput.Trim())}).", isTransient: true);
        }

        _logger.PoolReachable(_options.RbdPool, _options.CephUser, storage.ClusterFsid);
        return storage;
    }

    public async Task EnsureAsync(VmPaths paths, TemplateFiles template, CancellationToken cancellationToken)
    {
        var image = RbdSettings.VmImage(paths.VmId);
        if (await ExistsAsync(image, cancellationToken))
        {
            return;
        }

        // The disk is in the pool, but the VM's spec is kept in its data directory as with a qcow2 disk (Delete reads it).
        Directory.CreateDirectory(paths.DataDirectory);

        var parent = await EnsureTemplateAsync(template, cancellationToken);
        var result = await RbdAsync(["clone", parent, RbdSettings.Spec(_options, image)], cancellationToken);
        if (!result.Succeeded && !(result.ExitCode == 17 && await ExistsAsync(image, cancellationToken)))
        {
            throw new DriverException(RbdSettings.Describe(_options, $"VM {paths.VmId}: rbd clone of {parent}", result), isTransient: result.ExitCode == 110);
        }

        _logger.CloneCreated(_options.RbdPool, image, parent);
    }

    public async Task PrepareLaunchAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        var key = ReadKey();
        var lookup = await _runner.RunAsync("ceph-conf", ["-c", _options.CephConf, "--lookup", "mon_host"], _options.ToolTimeout, cancellationToken);
        var monHost = lookup.StandardOutput.Trim();
        if (!lookup.Succeeded || monHost.Length == 0 || monHost.Contains('\n', StringComparison.Ordinal))
        {
            throw new DriverException($"{_options.CephConf} names no Ceph monitors (mon_host): {lookup.StandardError.Trim()}", isTransient: false);
        }

        Directory.CreateDirectory(paths.RuntimeDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        WriteRootOnly(paths.CephConf, RbdSettings.QemuConf(monHost));
        WriteRootOnly(paths.CephSecret, key);
        await _confinement.ShareReadOnlyAsync([paths.CephConf, paths.CephSecret], cancellationToken);
    }

    public async Task DeleteAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        var image = RbdSettings.VmImage(paths.VmId);
        var mark = ReadMark(paths);
        if (mark == SharedDiskMark.HandedOver
            || (mark == SharedDiskMark.Borrowed && await ExistsAsync(image, cancellationToken) && await WatchersAsync(image, cancellationToken) > 0))
        {
            // The VM runs on the node it moved to (or, a move taken back, on the source again) on this very image: only this
            // node's traces go.
            _logger.CloneKept(_options.RbdPool, image, mark);
            return;
        }

        var result = await RbdAsync(["rm", "--no-progress", RbdSettings.Spec(_options, image)], cancellationToken);
        if (result.ExitCode == 2)
        {
            return; // Never made, or removed already.
        }

        if (!result.Succeeded)
        {
            throw new DriverException(RbdSettings.Describe(_options, $"VM {paths.VmId}: rbd rm", result), isTransient: true);
        }

        _logger.CloneDeleted(_options.RbdPool, image);
    }

    /// <summary>A file in the VM's data directory (which the VM driver's delete removes with the rest after
    /// <see cref="DeleteAsync"/> read it); <see cref="SharedDiskMark.Owned"/> removes it.</summary>
    public Task MarkSharedAsync(VmPaths paths, SharedDiskMark mark, CancellationToken cancellationToken)
    {
        var image = RbdSettings.VmImage(paths.VmId);
        var file = MarkFile(paths);
        if (mark == SharedDiskMark.Owned)
        {
            File.Delete(file);
        }
        else
        {
            Directory.CreateDirectory(paths.DataDirectory);
            File.WriteAllText(file, mark + "\n");
        }

        _logger.CloneMarked(_options.RbdPool, image, mark);
        return Task.CompletedTask;
    }

    /// <summary>How a move that shared the pool left this VM's disk on this node (<see cref="SharedDiskMark.Owned"/>: no mark).</summary>
    public static SharedDiskMark ReadMark(VmPaths paths)
    {
        try
        {
            return Enum.Parse<SharedDiskMark>(File.ReadAllText(MarkFile(paths)).Trim());
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return SharedDiskMark.Owned;
        }
    }

    private static string MarkFile(VmPaths paths) => Path.Combine(paths.DataDirectory, "rbd-shared");

    /// <summary>Clients that have the image open (<c>rbd status</c>'s watchers: a QEMU on another node).</summary>
    private async Task<int> WatchersAsync(string image, CancellationToken cancellationToken)
    {
        var result = await RbdAsync(["status", "--format", "json", RbdSettings.Spec(_options, image)], cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException(RbdSettings.Describe(_options, $"rbd status {image}", result), isTransient: true);
        }

        return RbdSettings.Watchers(result.StandardOutput);
    }

    public async Task<long> UsedBytesAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        var result = await RbdAsync(["du", "--format", "json", RbdSettings.Spec(_options, RbdSettings.VmImage(paths.VmId))], cancellationToken);
        if (result.ExitCode == 2)
        {
            return 0;
        }

        if (!result.Succeeded)
        {
            throw new DriverException(RbdSettings.Describe(_options, $"VM {paths.VmId}: rbd du", result), isTransient: true);
        }

        return ParseUsedBytes(result.StandardOutput);
    }

    /// <summary>The clone's own allocated bytes from <c>rbd du --format json</c> (its rows of the image and its snapshots).</summary>
    public static long ParseUsedBytes(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.GetProperty("images").EnumerateArray().Sum(i => i.GetProperty("used_size").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DriverException($"rbd du printed JSON we cannot read: {e.Message}", isTransient: false, e);
        }
    }

    /// <summary>
    /// The template's protected snapshot, imported when the pool has none. Concurrent first uses on this node wait for one
    /// import; another node sharing the pool may import at the same time, so each imports under a name of its own and
    /// renames it into place, and the loser of the rename drops its copy.
    /// </summary>
    private async Task<string> EnsureTemplateAsync(TemplateFiles template, CancellationToken cancellationToken)
    {
        var image = RbdSettings.TemplateImage(template.Sha256);
        var parent = RbdSettings.Spec(_options, image) + "@" + RbdSettings.TemplateSnapshot;
        var gate = _imports.GetOrAdd(template.Sha256, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (await ExistsAsync(image, cancellationToken))
            {
                return parent;
            }

            var started = Stopwatch.GetTimestamp();
            var temporary = image + ".import-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                var convert = await _runner.RunAsync(
                    _options.QemuImgBinary,
                    ["convert", "-q", "-f", "qcow2", "-O", "raw", template.DiskPath, RbdSettings.QemuImgTarget(_options, temporary)],
                    ImportTimeout,
                    cancellationToken);
                if (!convert.Succeeded)
                {
                    throw new DriverException($"Importing template {template.Sha256} into RBD pool {_options.RbdPool} failed: {convert.StandardError.Trim()}", isTransient: true);
                }

                var snapshot = RbdSettings.Spec(_options, temporary) + "@" + RbdSettings.TemplateSnapshot;
                await RequireAsync(["snap", "create", "--no-progress", snapshot], "rbd snap create", cancellationToken);
                await RequireAsync(["snap", "protect", snapshot], "rbd snap protect", cancellationToken);
                var rename = await RbdAsync(["rename", RbdSettings.Spec(_options, temporary), RbdSettings.Spec(_options, image)], cancellationToken);
                if (rename.Succeeded)
                {
                    temporary = "";
                    var elapsed = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    _logger.TemplateImported(template.Sha256, _options.RbdPool, elapsed);
                }
                else if (await ExistsAsync(image, cancellationToken))
                {
                    _logger.TemplateImportLost(template.Sha256, _options.RbdPool);
                }
                else
                {
                    throw new DriverException(RbdSettings.Describe(_options, "rbd rename of an imported template", rename), isTransient: true);
                }

                return parent;
            }
            finally
            {
                if (temporary.Length > 0)
                {
                    await RemoveTemporaryAsync(temporary);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Best effort: what a failed or lost import left (its snapshot unprotected first). Never cancelled halfway.</summary>
    private async Task RemoveTemporaryAsync(string temporary)
    {
        var snapshot = RbdSettings.Spec(_options, temporary) + "@" + RbdSettings.TemplateSnapshot;
        await RbdAsync(["snap", "unprotect", snapshot], CancellationToken.None);
        await RbdAsync(["snap", "purge", "--no-progress", RbdSettings.Spec(_options, temporary)], CancellationToken.None);
        await RbdAsync(["rm", "--no-progress", RbdSettings.Spec(_options, temporary)], CancellationToken.None);
    }

    private async Task<bool> ExistsAsync(string image, CancellationToken cancellationToken)
    {
        var result = await RbdAsync(["info", "--format", "json", RbdSettings.Spec(_options, image)], cancellationToken);
        if (result.Succeeded)
        {
            return true;
        }

        if (result.ExitCode == 2 && !result.StandardError.Contains("error opening pool", StringComparison.Ordinal))
        {
            return false;
        }

        throw new DriverException(RbdSettings.Describe(_options, $"rbd info {image}", result), isTransient: result.ExitCode == 110);
    }

    private async Task RequireAsync(string[] arguments, string what, CancellationToken cancellationToken)
    {
        var result = await RbdAsync(arguments, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException(RbdSettings.Describe(_options, what, result), isTransient: true);
        }
    }

    private Task<CommandResult> RbdAsync(string[] arguments, CancellationToken cancellationToken) =>
        _runner.RunAsync(_options.RbdBinary, RbdSettings.ToolArguments(_options, arguments), _options.ToolTimeout, cancellationToken);

    private string ReadKey()
    {
        string text;
        try
        {
            text = File.ReadAllText(_options.CephKeyring);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DriverException($"The Ceph keyring {_options.CephKeyring} cannot be read: {e.Message}", isTransient: false, e);
        }

        return CephKeyring.FindKey(text, "client." + _options.CephUser)
            ?? throw new DriverException($"The Ceph keyring {_options.CephKeyring} has no key for client.{_options.CephUser}.", isTransient: false);
    }

    /// <summary>A new file only root can read or write (made so, never widened after the fact); an old one is replaced.</summary>
    private static void WriteRootOnly(string path, string text)
    {
        File.Delete(path);
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
