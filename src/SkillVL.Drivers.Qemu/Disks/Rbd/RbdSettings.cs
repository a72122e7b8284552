using System.Globalization;
using SkillVL.Drivers.Qemu.CommandLine;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Disks.Rbd;

/// <summary>
/// The pure half of the RBD disk store (ADR 0055): names in the pool, the argv of the <c>rbd</c> CLI and of QEMU's rbd
/// driver, the options' validation and the errors' wording. No I/O, so the tests pin every argument.
/// </summary>
public static class RbdSettings
{
    /// <summary>The snapshot of a template's image that every VM's disk is cloned from (protected, never changed).</summary>
    public const string TemplateSnapshot = "base";

    /// <summary>The QEMU object id of the cephx key's secret.</summary>
    public const string SecretId = "disk0-secret";

    /// <summary>A template's image: its sha256, so every node sharing the pool finds the same one.</summary>
    public static string TemplateImage(string sha256) => "tpl-" + sha256;

    /// <summary>A VM's disk: its platform id (12 hex), unique across the platform and so across nodes sharing the pool.</summary>
    public static string VmImage(string vmId) => "vm-" + vmId;

    public static string Spec(QemuDriverOptions options, string image) => options.RbdPool + "/" + image;

    /// <summary>The argv of one <c>rbd</c> call as <see cref="QemuDriverOptions.CephUser"/>: every call bounded, since librados
    /// waits five minutes for a dead monitor by default and an OSD op forever.</summary>
    public static IReadOnlyList<string> ToolArguments(QemuDriverOptions options, params string[] arguments)
    {
        var connect = Seconds(options.CephConnectTimeout);
        return
        [
            "--conf", options.CephConf, "--id", options.CephUser, "--keyring", options.CephKeyring,
            "--client-mount-timeout", connect, "--rados-mon-op-timeout", connect, "--rados-osd-op-timeout", Seconds(options.ToolTimeout),
            .. arguments,
        ];
    }

    /// <summary>The argv of <c>ceph fsid</c> as the node's user, bounded like every <c>rbd</c> call: the CLI's own connect
    /// timeout, and librados' options, which the CLI hands to librados as <c>rbd</c> does.</summary>
    public static IReadOnlyList<string> FsidArguments(QemuDriverOptions options)
    {
        var connect = Seconds(options.CephConnectTimeout);
        return
        [
            "--conf", options.CephConf, "--id", options.CephUser, "--keyring", options.CephKeyring, "--connect-timeout", connect,
            "--client-mount-timeout", connect, "--rados-mon-op-timeout", connect, "fsid",
        ];
    }

    /// <summary>The node's storage from what <c>ceph fsid</c> printed (one UUID); null when it printed anything else.</summary>
    public static Core.Nodes.NodeStorage? Storage(QemuDriverOptions options, string fsidOutput)
    {
        var text = fsidOutput.Trim();
        return Guid.TryParseExact(text, "D", out var fsid)
            ? new Core.Nodes.NodeStorage(Core.Nodes.NodeStorage.Rbd, fsid.ToString("D"), options.RbdPool)
            : null;
    }

    /// <summary>How many clients have an image open, from <c>rbd status --format json</c> (<c>{"watchers":[…]}</c>).</summary>
    public static int Watchers(string json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("watchers", out var watchers) ? watchers.GetArrayLength() : 0;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new Core.Errors.DriverException($"rbd status printed JSON we cannot read: {e.Message}", isTransient: false, e);
        }
    }

    /// <summary>The target of <c>qemu-img convert</c> that imports a template (as root, with the node's own conf and keyring).</summary>
    public static string QemuImgTarget(QemuDriverOptions options, string image) =>
        $"rbd:{Spec(options, image)}:conf={options.CephConf}:id={options.CephUser}:keyring={options.CephKeyring}"
        + $":client_mount_timeout={Seconds(options.CephConnectTimeout)}";

    /// <summary>
    /// The disk's QEMU arguments: the key as a secret object read from a file (a key on the command line would be in
    /// /proc/*/cmdline, readable by every user), the rbd protocol node and a raw format node named as the qcow2 store's
    /// are (<see cref="QemuCommandLineBuilder.DiskNode"/>), so the devices are the same whatever the store.
    /// </summary>
    public static IReadOnlyList<string> BlockdevArguments(QemuDriverOptions options, VmPaths paths) =>
    [
        // format=base64: QEMU's rbd driver hands librados the secret base64-encoded, so the secret is the key's decoded bytes.
        "-object", $"secret,id={SecretId},file={QemuCommandLineBuilder.Escape(paths.CephSecret)},format=base64",
        "-blockdev",
        $"driver=rbd,node-name={QemuCommandLineBuilder.DiskFileNode},pool={options.RbdPool},image={VmImage(paths.VmId)},"
        + $"conf={QemuCommandLineBuilder.Escape(paths.CephConf)},user={options.CephUser},key-secret={SecretId},cache.direct=off,discard=unmap",
        "-blockdev", $"driver=raw,node-name={QemuCommandLineBuilder.DiskNode},file={QemuCommandLineBuilder.DiskFileNode},cache.direct=off,discard=unmap",
    ];

    /// <summary>The conf QEMU gets: only the monitors (the node's conf may name log files and sockets QEMU must not touch).</summary>
    public static string QemuConf(string monHost) => $"[global]\nmon host = {monHost}\n";

    /// <summary>What is wrong with the RBD settings, one message per field.</summary>
    public static IEnumerable<string> Validate(QemuDriverOptions options)
    {
        if (!IsName(options.RbdPool))
        {
            yield return $"{nameof(options.RbdPool)} must be a Ceph pool name (1-64 letters, digits, '.', '_' or '-').";
        }

        if (!IsName(options.CephUser) || options.CephUser.StartsWith("client.", StringComparison.Ordinal))
        {
            yield return $"{nameof(options.CephUser)} must be a cephx user without 'client.' (1-64 letters, digits, '.', '_' or '-').";
        }

        foreach (var (field, value) in new[] { (nameof(options.CephConf), options.CephConf), (nameof(options.CephKeyring), options.CephKeyring) })
        {
            // ':' ',' '=' and '@' are separators in QEMU's rbd: filenames and option strings.
            if (!Path.IsPathFullyQualified(value) || value.Any(c => c is ':' or ',' or '=' or '@' || char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                yield return $"{field} must be an absolute path without ':', ',', '=', '@' or spaces.";
            }
        }

        if (string.IsNullOrWhiteSpace(options.RbdBinary))
        {
            yield return $"{nameof(options.RbdBinary)} must not be empty.";
        }
    }

    /// <summary>The refusal of what an RBD disk cannot do yet (ADR 0055).</summary>
    public static string Refusal(string operation) =>
        $"{operation} is not available on this node: its VM disks are in a Ceph RBD pool (--disk-store rbd), and {operation} "
        + "works only on qcow2 disks for now (ADR 0055).";

    /// <summary>Throws the <see cref="Refusal"/> of <paramref name="operation"/> on a node whose disks are RBD images.</summary>
    public static void RefuseOnRbd(QemuDriverOptions options, string operation)
    {
        if (options.UsesRbd)
        {
            throw new Core.Errors.DriverException(Refusal(operation), isTransient: false);
        }
    }

    /// <summary>A failed <c>rbd</c> call in words: a dead monitor and a missing pool say so, the rest quotes rbd.</summary>
    public static string Describe(QemuDriverOptions options, string what, CommandResult result)
    {
        var said = string.Join(" ", result.StandardError.Split('\n').Where(l => l.StartsWith("rbd:", StringComparison.Ordinal)).Select(l => l.Trim()));
        return result.ExitCode switch
        {
            110 => $"{what}: the Ceph monitors in {options.CephConf} did not answer within {Seconds(options.CephConnectTimeout)} s ({said}).",
            2 when said.Contains("error opening pool", StringComparison.Ordinal) =>
                $"{what}: the Ceph pool '{options.RbdPool}' does not exist ({said}).",
            1 or 13 when result.StandardError.Contains("Permission denied", StringComparison.Ordinal)
                || result.StandardError.Contains("(13)", StringComparison.Ordinal) || result.StandardError.Contains("(1) Operation not permitted", StringComparison.Ordinal) =>
                $"{what}: client.{options.CephUser} may not use the pool '{options.RbdPool}' ({said}).",
            _ => $"{what}: rbd exited {result.ExitCode} ({(said.Length > 0 ? said : result.StandardError.Trim())}).",
        };
    }

    private static bool IsName(string value) =>
        value.Length is > 0 and <= 64 && !value.StartsWith('-') && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static string Seconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
