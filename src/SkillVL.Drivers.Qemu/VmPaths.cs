namespace SkillVL.Drivers.Qemu;

/// <summary>
/// Where one VM's files live. The runtime directory is the VM's identity on the host: QEMU's argv names its
/// pidfile in it, which is how a pid is recognised as ours after a restart (and not a reused pid).
/// </summary>
/// <param name="VmId">Platform id of the VM.</param>
/// <param name="RuntimeDirectory"><c>&lt;runtime&gt;/vms/&lt;vmId&gt;</c>.</param>
/// <param name="DataDirectory"><c>&lt;data&gt;/vms/&lt;vmId&gt;</c>.</param>
public sealed record VmPaths(string VmId, string RuntimeDirectory, string DataDirectory)
{
    public string PidFile => Path.Combine(RuntimeDirectory, "qemu.pid");

    public string QmpSocket => Path.Combine(RuntimeDirectory, "qmp.sock");

    public string GuestAgentSocket => Path.Combine(RuntimeDirectory, "qga.sock");

    public string VncSocket => Path.Combine(RuntimeDirectory, "vnc.sock");

    /// <summary>QEMU's SPICE server (ADR 0056), beside the VNC one and confined like it.</summary>
    public string SpiceSocket => Path.Combine(RuntimeDirectory, "spice.sock");

    public string SerialSocket => Path.Combine(RuntimeDirectory, "serial.sock");

    /// <summary>The unix socket QEMU listens on for NIC <paramref name="nicId"/> in stream mode (ADR 0052): QEMU makes it
    /// (its user's, mode 0755 from its umask, in a directory only it and root may enter), the agent connects as root.</summary>
    public string NicSocket(string nicId) => Path.Combine(RuntimeDirectory, $"nic-{nicId}.sock");

    public string SerialLog => Path.Combine(RuntimeDirectory, "serial.log");

    /// <summary>QEMU's stdout and stderr (its error when it fails to start). Root's file, opened by the launch.</summary>
    public string QemuLog => Path.Combine(RuntimeDirectory, "qemu.log");

    /// <summary>Metadata of the running process (<see cref="Processes.VmRuntimeMetadata"/>).</summary>
    public string MetadataFile => Path.Combine(RuntimeDirectory, "vm.json");

    /// <summary>RBD disks (ADR 0055): the monitors' addresses for QEMU's rbd driver, root's, readable by QEMU's group.</summary>
    public string CephConf => Path.Combine(RuntimeDirectory, "ceph.conf");

    /// <summary>RBD disks (ADR 0055): the cephx key for QEMU's <c>-object secret</c>, root's, mode 0440 for QEMU's group
    /// only (never on a command line: /proc/*/cmdline is world-readable).</summary>
    public string CephSecret => Path.Combine(RuntimeDirectory, "ceph.secret");

    public string Disk => Path.Combine(DataDirectory, "disk.qcow2");

    /// <summary>The NoCloud seed of a VM whose template takes cloud-init (ADR 0059): root's, read-only for QEMU.</summary>
    public string CloudInitSeed => Path.Combine(DataDirectory, "cidata.img");

    /// <summary>The last spec the VM was started or given a disk with; lets Delete find its taps after a host reboot.</summary>
    public string SpecFile => Path.Combine(DataDirectory, "spec.json");

    public static VmPaths For(QemuDriverOptions options, string vmId) => new(
        vmId,
        Path.Combine(options.RuntimeDirectory, "vms", vmId),
        Path.Combine(options.DataDirectory, "vms", vmId));
}
