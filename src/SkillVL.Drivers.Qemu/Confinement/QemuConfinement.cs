using System.Globalization;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Confinement;

/// <summary>
/// What an unprivileged QEMU may touch (ADR 0016). Every VM's QEMU runs as <see cref="QemuDriverOptions.RunAsUser"/>;
/// the files it needs are root-owned with that user's group:
/// <list type="bullet">
/// <item>the VM's runtime directory <c>root:qemu 1770</c>: QEMU creates its pidfile, sockets and serial log there; the
/// sticky bit keeps it from removing or replacing anything root owns, and once QEMU is up its files are handed to root
/// (<see cref="SealAsync"/>), so a QEMU a guest took over can never swap a socket or log that root later opens (the
/// console gateway relays students to them) for a link to something else;</item>
/// <item>the VM's disk directory <c>root:qemu 0710</c> and its overlay <c>root:qemu 0660</c>;</item>
/// <item>the directories above them and the template's directory: search only (group x) when not already open;</item>
/// <item>/dev/net/tun and /dev/kvm: the device's group when it grants access (Debian's <c>kvm</c>), else the QEMU
/// group is given read-write on a device that only root could open.</item>
/// </list>
/// With an empty <see cref="QemuDriverOptions.RunAsUser"/> every method does nothing: QEMU runs as root.
/// </summary>
public sealed class QemuConfinement
{
    private static readonly string[] HostDevices = ["/dev/net/tun", "/dev/kvm"];

    private readonly QemuDriverOptions _options;
    private readonly ICommandRunner _runner;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private Task<QemuIdentity>? _pending;

    private readonly IReadOnlyList<string> _devices;

    /// <param name="options">The driver's options.</param>
    /// <param name="runner">Runs getent, useradd, stat and chown.</param>
    /// <param name="logger">Logs what was changed on the host.</param>
    /// <param name="devices">The device nodes QEMU opens (tests pass none, so they never change this host's).</param>
    public QemuConfinement(QemuDriverOptions options, ICommandRunner runner, ILogger logger, IReadOnlyList<string>? devices = null)
    {
        _devices = devices ?? HostDevices;
        _options = options;
        _runner = runner;
        _logger = logger;
    }

    /// <summary>False when QEMU runs as root (<see cref="QemuDriverOptions.RunAsUser"/> empty).</summary>
    public bool Enabled => _options.RunAsUser.Length > 0;

    /// <summary>
    /// The QEMU user, created when missing and allowed (<see cref="QemuDriverOptions.CreateRunAsUser"/>), with the
    /// devices and the shared directories opened to it. Once per process; null when QEMU runs as root.
    /// </summary>
    public async Task<QemuIdentity?> EnsureAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }

        Task<QemuIdentity> pending;
        lock (_sync)
        {
            // One preparation for all callers; a failed one is tried again by the next caller. Each tool it runs is
            // bounded by the tool timeout, so it does not take the first caller's cancellation.
            if (_pending is null || _pending.IsFaulted || _pending.IsCanceled)
            {
                _pending = PrepareHostAsync();
            }

            pending = _pending;
        }

        return await pending.WaitAsync(cancellationToken);
    }

    private async Task<QemuIdentity> PrepareHostAsync()
    {
        var cancellationToken = CancellationToken.None;
        var (uid, gid) = await FindUserAsync(cancellationToken) ?? await CreateUserAsync(cancellationToken);
        if (uid == 0)
        {
            throw new DriverException($"{nameof(QemuDriverOptions.RunAsUser)} '{_options.RunAsUser}' is root (uid 0); QEMU must run unprivileged.", isTransient: false);
        }

        var groups = await OpenDevicesAsync(uid, gid, cancellationToken);
        var identity = new QemuIdentity(_options.RunAsUser, uid, gid, groups);
        foreach (var directory in new[] { _options.RuntimeDirectory, _options.DataDirectory })
        {
            Directory.CreateDirectory(Path.Combine(directory, "vms"));
        }

        await RequireReachableAsync(identity, cancellationToken);
        await AllowSearchAsync(identity, [_options.RuntimeDirectory, _options.DataDirectory], cancellationToken);

        // The driver's own "vms" directories: search only for QEMU, so one VM's QEMU cannot list the others' ids.
        string[] vms = [Path.Combine(_options.RuntimeDirectory, "vms"), Path.Combine(_options.DataDirectory, "vms")];
        await ChownAsync("0:" + gid.ToString(CultureInfo.InvariantCulture), vms, cancellationToken);
        foreach (var directory in vms)
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
        }
        _logger.QemuConfined(identity.User, uid, gid, _options.Sandbox);
        return identity;
    }

    /// <summary>
    /// Before QEMU starts: the VM's runtime directory (sticky, group-writable), disk directory and overlay for the QEMU
    /// group, and search access to the template directory the overlay's backing file is in.
    /// </summary>
    public async Task PrepareVmAsync(VmPaths paths, string templateSha256, CancellationToken cancellationToken)
    {
        var identity = await EnsureAsync(cancellationToken);
        if (identity is null)
        {
            return;
        }

        Directory.CreateDirectory(paths.RuntimeDirectory);
        var owned = new List<string> { paths.RuntimeDirectory };
        if (Directory.Exists(paths.DataDirectory))
        {
            owned.Add(paths.DataDirectory);
        }

        if (File.Exists(paths.Disk))
        {
            owned.Add(paths.Disk);
        }

        await ChownAsync("0:" + identity.Gid.ToString(CultureInfo.InvariantCulture), owned, cancellationToken);
        const UnixFileMode Rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        File.SetUnixFileMode(paths.RuntimeDirectory, Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.StickyBit);
        if (Directory.Exists(paths.DataDirectory))
        {
            File.SetUnixFileMode(paths.DataDirectory, Rwx | UnixFileMode.GroupExecute);
        }

        if (File.Exists(paths.Disk))
        {
            File.SetUnixFileMode(paths.Disk, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        }

        // "vms", or the accelerator probe's "probe": made by root with the default mode, but say so if not searchable.
        await AllowSearchAsync(
            identity, [Path.GetDirectoryName(paths.RuntimeDirectory)!, Path.GetDirectoryName(paths.DataDirectory)!], cancellationToken);
        var templates = Path.Combine(_options.DataDirectory, "templates");
        var template = Path.Combine(templates, templateSha256);
        if (Directory.Exists(template))
        {
            await AllowSearchAsync(identity, [templates, template], cancellationToken);
            await AllowReadAsync(identity, Directory.GetFiles(template), cancellationToken);
        }
    }

    /// <summary>
    /// Hands files QEMU created to root (the lchown does not follow links), so that QEMU, which can still write them
    /// through the descriptors it holds, can no longer remove or replace them in the sticky directory. Call while QEMU
    /// has not run guest code yet or just after it started, before anything root opens by name trusts them.
    /// </summary>
    public async Task SealAsync(IEnumerable<string> files, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        var existing = files.Where(f => File.Exists(f) || Directory.Exists(f)).ToList();
        if (existing.Count > 0)
        {
            await ChownAsync("0:0", existing, cancellationToken);
        }
    }

    /// <summary>A file root created for QEMU to open by name (the migration tunnel's sockets, a screendump target):
    /// root-owned, read-write for the QEMU group.</summary>
    public async Task ShareAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var identity = await EnsureAsync(cancellationToken);
        if (identity is null)
        {
            return;
        }

        await ChownAsync("0:" + identity.Gid.ToString(CultureInfo.InvariantCulture), files, cancellationToken);
        foreach (var file in files)
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        }
    }

    /// <summary>Files root made for QEMU only to read (an RBD disk's conf and key secret, ADR 0055): root-owned, mode 0440
    /// with QEMU's group, so no other user reads the key and QEMU can neither change nor replace them. Unconfined: 0400.</summary>
    public async Task ShareReadOnlyAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var identity = await EnsureAsync(cancellationToken);
        if (identity is not null)
        {
            await ChownAsync("0:" + identity.Gid.ToString(CultureInfo.InvariantCulture), files, cancellationToken);
        }

        foreach (var file in files)
        {
            File.SetUnixFileMode(file, identity is null ? UnixFileMode.UserRead : UnixFileMode.UserRead | UnixFileMode.GroupRead);
        }
    }

    /// <summary>
    /// For QEMU's own TLS (the direct transport): a copy of the node's certificate files that the QEMU group can read,
    /// in <c>&lt;runtime dir&gt;/tls</c>, for one <c>object-add</c> (QEMU reads them then); the caller removes it with
    /// <see cref="RemoveTlsCopy"/> at once. The node's directory stays root-only. As root: <paramref name="tlsDirectory"/>.
    /// </summary>
    public async Task<string> ShareTlsAsync(VmPaths paths, string tlsDirectory, IEnumerable<string> fileNames, CancellationToken cancellationToken)
    {
        var identity = await EnsureAsync(cancellationToken);
        if (identity is null)
        {
            return tlsDirectory;
        }

        var copy = TlsCopy(paths);
        RemoveTlsCopy(paths);
        Directory.CreateDirectory(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var files = new List<string>();
        foreach (var name in fileNames)
        {
            var target = Path.Combine(copy, name);
            File.Copy(Path.Combine(tlsDirectory, name), target);
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            files.Add(target);
        }

        await ChownAsync("0:" + identity.Gid.ToString(CultureInfo.InvariantCulture), [copy, .. files], cancellationToken);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
        return copy;
    }

    /// <summary>Removes the copy <see cref="ShareTlsAsync"/> made, if any.</summary>
    public static void RemoveTlsCopy(VmPaths paths)
    {
        if (Directory.Exists(TlsCopy(paths)))
        {
            Directory.Delete(TlsCopy(paths), recursive: true);
        }
    }

    private static string TlsCopy(VmPaths paths) => Path.Combine(paths.RuntimeDirectory, "tls");

    private async Task<(int Uid, int Gid)?> FindUserAsync(CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync("getent", ["passwd", _options.RunAsUser], _options.ToolTimeout, cancellationToken);
        if (result.ExitCode == 2)
        {
            return null; // getent: key not found
        }

        // name:password:uid:gid:gecos:home:shell
        var fields = result.StandardOutput.Trim().Split(':');
        if (!result.Succeeded
            || fields.Length < 4
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            || !int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            throw new DriverException($"getent passwd {_options.RunAsUser} failed (exit {result.ExitCode}): {result.StandardError.Trim()}", isTransient: false);
        }

        return (uid, gid);
    }

    private async Task<(int Uid, int Gid)> CreateUserAsync(CancellationToken cancellationToken)
    {
        if (!_options.CreateRunAsUser)
        {
            throw new DriverException(
                $"The QEMU user '{_options.RunAsUser}' does not exist. Create it (scripts/bootstrap.sh does: useradd --system --no-create-home " +
                $"--shell /usr/sbin/nologin --user-group {_options.RunAsUser}), or set {nameof(QemuDriverOptions.CreateRunAsUser)}.",
                isTransient: false);
        }

        var result = await _runner.RunAsync(
            "useradd",
            ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", _options.RunAsUser],
            _options.ToolTimeout,
            cancellationToken);
        // 9: created meanwhile by someone else (another SkillVL process on this host): fine.
        if (!result.Succeeded && result.ExitCode != 9)
        {
            throw new DriverException(
                $"Could not create the QEMU user '{_options.RunAsUser}' (useradd exit {result.ExitCode}): {result.StandardError.Trim()}", isTransient: false);
        }

        _logger.QemuUserCreated(_options.RunAsUser);
        return await FindUserAsync(cancellationToken)
            ?? throw new DriverException($"useradd created '{_options.RunAsUser}' but getent does not find it.", isTransient: false);
    }

    /// <summary>Makes /dev/net/tun and /dev/kvm usable by the QEMU user; returns the device groups to run QEMU in.</summary>
    private async Task<IReadOnlyList<int>> OpenDevicesAsync(int uid, int gid, CancellationToken cancellationToken)
    {
        var groups = new SortedSet<int>();
        foreach (var (device, stat) in await StatAsync(_devices.Where(File.Exists).ToList(), cancellationToken))
        {
            var granted = Allows(stat, uid, [gid], 6);
            if (!granted && stat.Gid != 0 && stat.Gid != gid && (stat.Mode >> 3 & 6) == 6)
            {
                // Debian's /dev/kvm is root:kvm 0660: run QEMU in that group, as adding the user to "kvm" would.
                groups.Add(stat.Gid);
                granted = true;
            }

            if (!granted && stat.Gid == 0)
            {
                // Only root can open it (no udev rule on this host): give the QEMU group read-write, nothing to others.
                await ChownAsync("0:" + gid.ToString(CultureInfo.InvariantCulture), [device], cancellationToken);
                File.SetUnixFileMode(device, (UnixFileMode)stat.Mode | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
                _logger.QemuDeviceOpened(device, _options.RunAsUser);
                granted = true;
            }

            if (!granted)
            {
                _logger.QemuDeviceClosed(device, _options.RunAsUser);
            }
        }

        return [.. groups];
    }

    /// <summary>
    /// The directories above the data and runtime directories are the host's (e.g. <c>/var/lib</c>, or a test's temp
    /// directory): never changed here, but a closed one would make every VM fail with QEMU's "Permission denied", so
    /// the node refuses to start with a message that names it.
    /// </summary>
    private async Task RequireReachableAsync(QemuIdentity identity, CancellationToken cancellationToken)
    {
        var ancestors = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var directory in new[] { _options.RuntimeDirectory, _options.DataDirectory })
        {
            for (var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory)); parent is not null; parent = Path.GetDirectoryName(parent))
            {
                ancestors.Add(parent);
            }
        }

        foreach (var (path, stat) in await StatAsync([.. ancestors], cancellationToken))
        {
            if (!Allows(stat, identity.Uid, [identity.Gid, .. identity.SupplementaryGroups], 1))
            {
                throw new DriverException(
                    $"The QEMU user '{identity.User}' cannot pass through {path} (mode {Convert.ToString(stat.Mode, 8)}, owner {stat.Uid}:{stat.Gid}), " +
                    $"so QEMU could not open the VMs' files below it. Give it search permission (o+x) or move {nameof(QemuDriverOptions.DataDirectory)} / " +
                    $"{nameof(QemuDriverOptions.RuntimeDirectory)}.",
                    isTransient: false);
            }
        }
    }

    /// <summary>Group search (x) on directories that "others" cannot search, for the QEMU group; never takes a
    /// directory from a group other than root or the QEMU group.</summary>
    private Task AllowSearchAsync(QemuIdentity identity, IReadOnlyList<string> directories, CancellationToken cancellationToken) =>
        AllowAsync(identity, directories, 1, cancellationToken);

    private Task AllowReadAsync(QemuIdentity identity, IReadOnlyList<string> files, CancellationToken cancellationToken) =>
        AllowAsync(identity, files, 4, cancellationToken);

    private async Task AllowAsync(QemuIdentity identity, IReadOnlyList<string> paths, int bits, CancellationToken cancellationToken)
    {
        foreach (var (path, stat) in await StatAsync(paths, cancellationToken))
        {
            if (Allows(stat, identity.Uid, [identity.Gid, .. identity.SupplementaryGroups], bits))
            {
                continue;
            }

            if (stat.Gid is not 0 && stat.Gid != identity.Gid)
            {
                _logger.QemuPathClosed(path, _options.RunAsUser);
                continue;
            }

            await ChownAsync("0:" + identity.Gid.ToString(CultureInfo.InvariantCulture), [path], cancellationToken);
            File.SetUnixFileMode(path, (UnixFileMode)stat.Mode | (UnixFileMode)(bits << 3));
        }
    }

    private static bool Allows(FileStat stat, int uid, IReadOnlyList<int> gids, int bits)
    {
        var granted = stat.Uid == uid ? stat.Mode >> 6 : gids.Contains(stat.Gid) ? stat.Mode >> 3 : stat.Mode;
        return (granted & bits) == bits;
    }

    private async Task<IReadOnlyList<(string Path, FileStat Stat)>> StatAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return [];
        }

        // One line per path: uid gid mode(octal, permission bits incl. sticky) — the path last, it may contain spaces.
        var result = await _runner.RunAsync("stat", ["-L", "-c", "%u %g %a %n", "--", .. paths], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"stat of {string.Join(", ", paths)} failed: {result.StandardError.Trim()}", isTransient: false);
        }

        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 4))
            .Select(f => (f[3], new FileStat(
                int.Parse(f[0], CultureInfo.InvariantCulture),
                int.Parse(f[1], CultureInfo.InvariantCulture),
                Convert.ToInt32(f[2], 8))))
            .ToList();
    }

    private async Task ChownAsync(string owner, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        // -h: a link is changed itself, never what it points to.
        var result = await _runner.RunAsync("chown", ["-h", owner, "--", .. paths], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"chown {owner} of {string.Join(", ", paths)} failed: {result.StandardError.Trim()}", isTransient: false);
        }
    }

    private readonly record struct FileStat(int Uid, int Gid, int Mode);
}
