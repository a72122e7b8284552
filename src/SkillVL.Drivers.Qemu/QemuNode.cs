using Microsoft.Extensions.Logging;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Confinement;
using SkillVL.Drivers.Qemu.Disks;
using SkillVL.Drivers.Qemu.Hypervisor;
using SkillVL.Drivers.Qemu.Migration;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu;

/// <summary>
/// The QEMU driver's pieces wired together for one node: VMs, networks and templates sharing one set of
/// options, one instance id and one process runner. Hosts (the Agent) build it once and dispose it on exit;
/// disposing leaves every VM running, to be re-adopted by the next process.
/// </summary>
public sealed class QemuNode : IAsyncDisposable
{
    private readonly ICommandRunner _runner;

    private QemuNode(
        QemuDriverOptions options,
        QemuVmDriver vms,
        Core.Networking.INetworkDriver networks,
        Networking.Switching.StreamNetworks? streams,
        Networking.Relay.NetworkRelays relays,
        FileTemplateStore templates,
        AcceleratorProbe accelerators,
        QcowImageTool images,
        QemuMigrationDriver migrations,
        QemuConfinement confinement,
        Checkout.QemuCheckoutDriver checkouts,
        Networking.Routers.RoomRouters routers,
        Snapshots.QemuSnapshotDriver snapshots,
        ICommandRunner runner)
    {
        _runner = runner;
        Snapshots = snapshots;
        Routers = routers;
        Checkouts = checkouts;
        Confinement = confinement;
        Images = images;
        Migrations = migrations;
        Options = options;
        Vms = vms;
        Networks = networks;
        Streams = streams;
        Relays = relays;
        Templates = templates;
        Accelerators = accelerators;
    }

    public QemuDriverOptions Options { get; }

    /// <summary>The unprivileged user QEMU runs as and the files it may use (ADR 0016).</summary>
    public QemuConfinement Confinement { get; }

    public QemuVmDriver Vms { get; }

    /// <summary>The room networks: Linux bridges (<see cref="LinuxBridgeNetworkDriver"/>), or in stream mode the switches
    /// of <see cref="Streams"/> (ADR 0052).</summary>
    public Core.Networking.INetworkDriver Networks { get; }

    /// <summary>The node's user-space switches when <see cref="QemuDriverOptions.VmNetwork"/> is <c>stream</c>; else null.</summary>
    public Networking.Switching.StreamNetworks? Streams { get; }

    /// <summary>The room-network relays of this node (ADR 0019): client links or the hub's listener.</summary>
    public Networking.Relay.NetworkRelays Relays { get; }

    public FileTemplateStore Templates { get; }

    /// <summary>The room routers of this node: a namespace with dnsmasq per router (ADR 0039).</summary>
    public Networking.Routers.RoomRouters Routers { get; }

    public AcceleratorProbe Accelerators { get; }

    /// <summary>Live migration to and from this node.</summary>
    public QemuMigrationDriver Migrations { get; }

    /// <summary>Check-out and check-in's disk side: retained copies, write tracking, background sync (ADR 0021).</summary>
    public Checkout.QemuCheckoutDriver Checkouts { get; }

    /// <summary>VM snapshots as qcow2 internal snapshots in each VM's overlay (ADR 0051).</summary>
    public Snapshots.QemuSnapshotDriver Snapshots { get; }

    /// <summary>qcow2 inspection (e.g. a disk's backing file and size) for diagnostics and the migration planner.</summary>
    public QcowImageTool Images { get; }

    /// <summary>Validates <paramref name="options"/>, creates the data and runtime directories, and wires the driver.</summary>
    /// <param name="streamRelay">Stream mode only: the relay's clocks and where its sockets are made (the driver tests run
    /// the client's underlay in a network namespace while its QEMUs need none); null: defaults, this thread's namespace.</param>
    public static QemuNode Create(
        QemuDriverOptions options,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        (Networking.Relay.RelayTimings Timings, Action<Action>? NamespaceContext)? streamRelay = null)
    {
        QemuDriverOptionsValidator.ThrowIfInvalid(options);
        Directory.CreateDirectory(options.DataDirectory);
        Directory.CreateDirectory(options.RuntimeDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var runner = new ProcessCommandRunner(timeProvider, loggerFactory.CreateLogger<ProcessCommandRunner>());
        var ip = new IpCommand(options, runner);
        var sysctls = new InterfaceSysctls();
        var confinement = new QemuConfinement(options, runner, loggerFactory.CreateLogger<QemuConfinement>());
        var supervisor = new QemuProcessSupervisor(
            options, runner, timeProvider, loggerFactory.CreateLogger<QemuProcessSupervisor>(), confinement: confinement);
        var images = new QcowImageTool(options, runner, loggerFactory.CreateLogger<QcowImageTool>());
        var templates = new FileTemplateStore(
            options, new TemplateDiskInspector(options, runner, loggerFactory.CreateLogger<TemplateDiskInspector>()), loggerFactory.CreateLogger<FileTemplateStore>());
        var taps = new TapDevices(options, ip, sysctls, loggerFactory.CreateLogger<TapDevices>(), confinement);
        var accelerators = new AcceleratorProbe(
            options, runner, supervisor, images, timeProvider, loggerFactory.CreateLogger<AcceleratorProbe>());
        var streams = options.StreamMode
            ? new Networking.Switching.StreamNetworks(
                Core.Nodes.NodeTlsFiles.DirectoryOf(options.DataDirectory),
                timeProvider,
                loggerFactory.CreateLogger<Networking.Switching.StreamNetworks>(),
                streamRelay?.Timings,
                streamRelay?.NamespaceContext)
            : null;
        IVmDiskStore disks = options.UsesRbd
            ? new Disks.Rbd.RbdDiskStore(options, runner, confinement, loggerFactory.CreateLogger<Disks.Rbd.RbdDiskStore>())
            : new QcowDiskStore(images);
        var vms = new QemuVmDriver(
            options, supervisor, templates, images, taps, accelerators, timeProvider, loggerFactory.CreateLogger<QemuVmDriver>(), streams, disks);
        var relays = new Networking.Relay.NetworkRelays(
            options, ip, sysctls, Core.Nodes.NodeTlsFiles.DirectoryOf(options.DataDirectory), timeProvider,
            loggerFactory.CreateLogger<Networking.Relay.NetworkRelays>());
        Core.Networking.INetworkDriver networks = streams is not null
            ? streams
            : new LinuxBridgeNetworkDriver(options, ip, sysctls, loggerFactory.CreateLogger<LinuxBridgeNetworkDriver>(), relays);
        var tunnels = new Migration.Tunnel.MigrationTunnels(loggerFactory.CreateLogger<Migration.Tunnel.MigrationTunnels>());
        var retained = new Checkout.RetainedCopies(options, supervisor, tunnels, loggerFactory.CreateLogger<Checkout.RetainedCopies>());
        var migrations = new QemuMigrationDriver(
            options, vms, supervisor, templates, images, accelerators, runner, tunnels,
            new Migration.Tunnel.LinkProbes(timeProvider, loggerFactory.CreateLogger<Migration.Tunnel.LinkProbes>()), timeProvider, loggerFactory.CreateLogger<QemuMigrationDriver>(),
            retained);
        var leases = new Checkout.CheckoutLeases(
            options, vms, supervisor, retained, timeProvider, loggerFactory.CreateLogger<Checkout.CheckoutLeases>());
        var checkouts = new Checkout.QemuCheckoutDriver(
            options, vms, supervisor, images, runner, tunnels, retained, timeProvider, loggerFactory.CreateLogger<Checkout.QemuCheckoutDriver>(), leases);
        var routers = new Networking.Routers.RoomRouters(options, ip, runner, sysctls, loggerFactory.CreateLogger<Networking.Routers.RoomRouters>());
        var snapshots = new Snapshots.QemuSnapshotDriver(
            options, vms, supervisor, runner, images, timeProvider, loggerFactory.CreateLogger<Snapshots.QemuSnapshotDriver>());
        return new QemuNode(options, vms, networks, streams, relays, templates, accelerators, images, migrations, confinement, checkouts, routers, snapshots, runner);
    }

    /// <summary>
    /// Makes this host ready to run QEMU unprivileged (ADR 0016): the QEMU user (created when missing and allowed), its
    /// access to /dev/net/tun and /dev/kvm and to the data and runtime directories. Hosts call it once at start, so a
    /// missing user is reported then, not at the first VM; every VM start checks it again (once per process).
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await Confinement.EnsureAsync(cancellationToken);

        // An RBD node whose monitors or pool cannot be reached says so now, not at its first VM (ADR 0055).
        Storage = await Vms.Disks.ProbeAsync(cancellationToken);

        // A checked-out VM whose lease runs out is paused (ADR 0025), also while the link to the Server is down.
        Checkouts.Leases.StartWatch();
        Hypervisor = await QemuHypervisorProbe.ProbeAsync(Options, _runner, cancellationToken);
    }

    /// <summary>Where this node's VM disks live when other nodes may open them (a Ceph pool, ADR 0055), known after
    /// <see cref="PrepareAsync"/>; null: qcow2 files of this node.</summary>
    public Core.Nodes.NodeStorage? Storage { get; private set; }

    /// <summary>What the QEMU binary is (version, versioned machine type), known after <see cref="PrepareAsync"/>.</summary>
    public QemuHypervisorInfo? Hypervisor { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await Checkouts.Leases.DisposeAsync();
        await Vms.DisposeAsync();
        await Migrations.DisposeAsync();
        await Relays.DisposeAsync();
        if (Streams is not null)
        {
            await Streams.DisposeAsync();
        }

        Accelerators.Dispose();
        Routers.Dispose();
    }
}
