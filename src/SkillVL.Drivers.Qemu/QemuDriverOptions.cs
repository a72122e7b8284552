namespace SkillVL.Drivers.Qemu;

/// <summary>
/// Settings of the QEMU node driver. Bind from configuration section <see cref="SectionName"/> and validate
/// at start with <see cref="QemuDriverOptionsValidator"/> (Aspire's DcpOptions pattern).
/// </summary>
public sealed class QemuDriverOptions
{
    public const string SectionName = "SkillVL:Qemu";

    /// <summary>
    /// Persistent state of this instance (directory; required). VM disks live in
    /// <c>&lt;DataDirectory&gt;/vms/&lt;vmId&gt;/disk.qcow2</c>, templates in
    /// <c>&lt;DataDirectory&gt;/templates/&lt;sha256&gt;/</c>, the accelerator probe result in
    /// <c>&lt;DataDirectory&gt;/accelerator.json</c>. Must survive a host reboot.
    /// </summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>
    /// Volatile per-process state (directory; required): per VM <c>&lt;RuntimeDirectory&gt;/vms/&lt;vmId&gt;/</c>
    /// holds <c>qemu.pid</c>, the <c>qmp.sock</c>, <c>qga.sock</c>, <c>vnc.sock</c> and <c>serial.sock</c> sockets,
    /// <c>serial.log</c> and <c>vm.json</c>. Re-adoption after a SkillVL restart works purely from this
    /// directory, so it must outlive the SkillVL process (e.g. <c>/run/skillvl</c>). Keep the path short:
    /// a unix socket path is limited to 107 bytes.
    /// </summary>
    public string RuntimeDirectory { get; set; } = "";

    /// <summary>
    /// Tags every network interface this instance creates (<c>ip link ... alias skillvl:&lt;InstanceId&gt;</c>)
    /// so two SkillVL instances on one host, or the tests running beside a real one, never list or delete
    /// each other's bridges and taps. Letters, digits, '-' and '_' only; required.
    /// </summary>
    public string InstanceId { get; set; } = "";

    /// <summary><see cref="VmNetwork"/>: a Linux bridge per room network and a tap per NIC (ADR 0006, 0019).</summary>
    public const string BridgeNetworking = "bridge";

    /// <summary><see cref="VmNetwork"/>: a switch in this process per room network, QEMU <c>-netdev stream</c> into it (ADR 0052).</summary>
    public const string StreamNetworking = "stream";

    /// <summary>
    /// How VMs' NICs reach their room networks. <c>bridge</c> (default): a Linux bridge per network, a tap per NIC, VXLAN
    /// or a relay tap to other nodes; needs root (CAP_NET_ADMIN). <c>stream</c> (client nodes, ADR 0052): no bridge and
    /// no tap; each NIC is a QEMU <c>-netdev stream</c> unix socket in the VM's runtime directory
    /// (<see cref="VmPaths.NicSocket"/>) that this process connects to and switches in user space, and the only way
    /// out is the outbound relay to a hub (ADR 0019); the node can be neither a VXLAN peer, a relay hub nor a router's
    /// home. Agent option <c>--vm-network</c>.
    /// </summary>
    public string VmNetwork { get; set; } = BridgeNetworking;

    /// <summary>True when <see cref="VmNetwork"/> is <c>stream</c>.</summary>
    public bool StreamMode => VmNetwork == StreamNetworking;

    /// <summary><see cref="DiskStore"/>: each VM's disk a qcow2 linked clone of its template in the data directory.</summary>
    public const string FileDisks = "file";

    /// <summary><see cref="DiskStore"/>: each VM's disk an RBD clone of its template's snapshot in a Ceph pool (ADR 0055).</summary>
    public const string RbdDisks = "rbd";

    /// <summary>
    /// Where VMs' disks live. <c>file</c> (default): a qcow2 linked clone of the template under
    /// <see cref="DataDirectory"/>. <c>rbd</c> (ADR 0055): the template imported once into <see cref="RbdPool"/> with a
    /// protected snapshot, each VM's disk an <c>rbd clone</c> of it that QEMU opens with its rbd driver; snapshots,
    /// check-out and disk mirroring are refused on such a node. Agent option <c>--disk-store</c>.
    /// </summary>
    public string DiskStore { get; set; } = FileDisks;

    /// <summary>True when <see cref="DiskStore"/> is <c>rbd</c>.</summary>
    public bool UsesRbd => DiskStore == RbdDisks;

    /// <summary>The Ceph pool of the RBD disks (already made and <c>rbd pool init</c>ed). Agent option <c>--rbd-pool</c>.</summary>
    public string RbdPool { get; set; } = "";

    /// <summary>The Ceph conf file naming the monitors (absolute path). Agent option <c>--ceph-conf</c>.</summary>
    public string CephConf { get; set; } = "/etc/ceph/ceph.conf";

    /// <summary>The cephx user, without <c>client.</c> (its caps: <c>profile rbd</c> on the pool). Agent option <c>--ceph-user</c>.</summary>
    public string CephUser { get; set; } = "skillvl";

    /// <summary>The keyring with <see cref="CephUser"/>'s key (absolute path, root-only). Agent option <c>--ceph-keyring</c>.</summary>
    public string CephKeyring { get; set; } = "";

    /// <summary>
    /// Upper bound for reaching the Ceph monitors in one <c>rbd</c> call or one QEMU open (default 15 s; librados's
    /// <c>client_mount_timeout</c>, whose own default is 5 minutes): a dead monitor fails a create within it. A whole
    /// call is still bounded by <see cref="ToolTimeout"/>.
    /// </summary>
    public TimeSpan CephConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The Ceph tool (name on PATH or absolute path), for the cluster's fsid only. Default <c>ceph</c>.</summary>
    public string CephBinary { get; set; } = "ceph";

    /// <summary>The RBD tool (name on PATH or absolute path). Default <c>rbd</c>.</summary>
    public string RbdBinary { get; set; } = "rbd";

    /// <summary>The QEMU system emulator (name on PATH or absolute path). Default <c>qemu-system-x86_64</c>.</summary>
    public string QemuBinary { get; set; } = "qemu-system-x86_64";

    /// <summary>The disk image tool (name on PATH or absolute path). Default <c>qemu-img</c>.</summary>
    public string QemuImgBinary { get; set; } = "qemu-img";

    /// <summary>The iproute2 tool (name on PATH or absolute path). Default <c>ip</c>.</summary>
    public string IpBinary { get; set; } = "ip";

    /// <summary>The socket tool (iproute2's <c>ss</c>), used to abort a migration's NBD connection that a cut link
    /// left hanging. Default <c>ss</c>.</summary>
    public string SsBinary { get; set; } = "ss";

    /// <summary>
    /// <c>auto</c> (default) probes KVM once with a real short boot and falls back to TCG; <c>kvm</c> or
    /// <c>tcg</c> force it. Nested KVM hangs guests on some hosts, which is why auto boots a guest rather
    /// than trusting that <c>/dev/kvm</c> exists.
    /// </summary>
    public string Accelerator { get; set; } = "auto";

    /// <summary>
    /// Size of TCG's translated-code cache per VM, in MiB (default 32). QEMU's default for system
    /// emulation is 1 GiB (since 5.0), which a guest touches over time and which then counts against the
    /// host for every VM; a small guest spends almost all its time in a few MiB of hot code, so 32 MiB
    /// costs little speed and keeps each VM's RSS near its guest RAM. Ignored under KVM.
    /// </summary>
    public int TcgTranslationBlockCacheMiB { get; set; } = 32;

    /// <summary>
    /// How long a graceful stop waits for the guest to power off after the ACPI power button before the
    /// VM is stopped hard (default 30 s). Used when the caller passes no positive timeout.
    /// </summary>
    public TimeSpan GracefulStopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Upper bound for one QMP command, including connecting and the greeting (default 10 s). QMP answers
    /// in milliseconds unless QEMU is wedged; a longer wait only delays the hard-stop fallback.
    /// </summary>
    public TimeSpan QmpCommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Upper bound for launching QEMU until its daemonised parent exits (default 30 s). QEMU opens every
    /// disk, tap and socket before the parent exits, which takes well under a second normally.
    /// </summary>
    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for one <c>qemu-img</c> or <c>ip</c> invocation (default 30 s).</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest virtual size (bytes) a template's disk may declare (default 1 TiB). Every machine's overlay can grow to
    /// it, so a template claiming exabytes is refused rather than discovered when a guest fills the node's disk.
    /// The embedded Server sets it from <c>SkillVL:Templates:MaxVirtualSizeBytes</c>.
    /// </summary>
    public long MaxTemplateVirtualSizeBytes { get; set; } = 1L << 40;

    /// <summary>
    /// How long the <c>auto</c> accelerator probe waits for a KVM guest to show a login prompt or answer
    /// its agent before deciding that KVM does not work here (default 15 s; the tiny guest needs ~1 s
    /// under working KVM and ~3 s under TCG).
    /// </summary>
    public TimeSpan AcceleratorProbeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>QEMU machine type (default <c>pc</c>: i440FX, what the tiny guest and most templates expect).</summary>
    public string MachineType { get; set; } = "pc";

    /// <summary>
    /// <see cref="MachineType"/> with its alias resolved by the QEMU binary at start (<c>pc</c> → <c>pc-i440fx-7.2</c>),
    /// what VMs are started with: a guest that moves to another QEMU must get the same machine, and the bare alias
    /// means a different one in each QEMU version. Set by <see cref="QemuNode.PrepareAsync"/>; null before (VMs then
    /// get <see cref="MachineType"/> as written).
    /// </summary>
    public string? MachineTypeInUse { get; set; }

    /// <summary>
    /// The CPU model VMs get (<c>-cpu</c>); default null: <c>host</c> under KVM, <c>max</c> under TCG — the fastest,
    /// but a guest started with either can only move to a host with the same CPU and QEMU version (the migration
    /// check refuses the rest). A named model (<c>qemu64-v1</c>, <c>Nehalem-v2</c>; <c>qemu-system-x86_64 -cpu help</c>)
    /// moves between any hosts that offer it: set one on every node when guests move to students' machines.
    /// </summary>
    public string? CpuModel { get; set; }

    /// <summary>
    /// The system user every QEMU runs as (default <c>skillvl-qemu</c>; ADR 0016). QEMU is started already
    /// unprivileged (<c>setpriv</c>, no capabilities, no new privileges, a clean environment), after SkillVL has made
    /// its taps (persistent, owned by this user) and disk; it can open only its own VM's files and, with
    /// <see cref="Sandbox"/>, make none of the system calls a guest escape needs to get further. Empty: QEMU runs
    /// as root, as before 0016 (only for comparison measurements; never on a host with students).
    /// See <see cref="CreateRunAsUser"/>.
    /// </summary>
    public string RunAsUser { get; set; } = "skillvl-qemu";

    /// <summary>
    /// When <see cref="RunAsUser"/> does not exist, create it (<c>useradd --system --no-create-home --shell
    /// /usr/sbin/nologin --user-group</c>; default true). False: the node refuses to start VMs and says so.
    /// </summary>
    public bool CreateRunAsUser { get; set; } = true;

    /// <summary>
    /// QEMU's seccomp sandbox (default true): <c>-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny</c>,
    /// as libvirt sets it (its <c>seccomp_sandbox</c>). A QEMU that a guest took over cannot execute programs, fork,
    /// change its uid or groups, or use obsolete system calls; the kernel kills it instead.
    /// </summary>
    public bool Sandbox { get; set; } = true;

    /// <summary>util-linux <c>setpriv</c> (name on PATH or absolute path), which drops to <see cref="RunAsUser"/>
    /// before QEMU is executed. Default <c>setpriv</c>.</summary>
    public string SetprivBinary { get; set; } = "setpriv";

    /// <summary>util-linux <c>setsid</c> (name on PATH or absolute path), which detaches QEMU in its own session so it
    /// outlives SkillVL (QEMU's own <c>-daemonize</c> needs system calls the sandbox forbids). Default <c>setsid</c>.</summary>
    public string SetsidBinary { get; set; } = "setsid";
}
