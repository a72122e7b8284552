using SkillVL.Core.Migration;

namespace SkillVL.Core.Compute;

/// <summary>
/// The node side of a live migration without shared storage (docs/interop/live-block-operations.rst in QEMU):
/// the target starts the VM paused, waiting for its state, with an NBD export of a fresh disk; the source mirrors
/// its disk into that export, then sends RAM; after the switch-over the target resumes and the source is deleted.
/// The Server's migration engine calls these in order and polls <see cref="GetOutgoingStatusAsync"/>; it owns the
/// decisions (<see cref="MigrationPolicy"/>). Every call is safe to repeat, and the abort/cancel calls are safe in
/// any state, including after a partial failure of the call before.
/// </summary>
public interface IVmMigrationDriver
{
    /// <summary>The migration features this node's hypervisor offers (the engine intersects source and target).</summary>
    MigrationFeatures Features { get; }

    /// <summary>Source, before the plan: samples the guest's page-dirty rate for <paramref name="sample"/> (rounded up to
    /// whole seconds, at least 1) and reads how many bytes its overlay holds. A stopped VM has no dirty rate (0) and is
    /// not started for this. Bounded: the sample plus a settle time; changes nothing on the VM.</summary>
    Task<VmMigrationMeasurement> MeasureAsync(string vmId, TimeSpan sample, CancellationToken cancellationToken);

    /// <summary>Target, before the plan: opens a short-lived endpoint on <paramref name="listenAddress"/> that the source's
    /// <see cref="ProbeLinkAsync"/> measures the link against. It closes itself after its
    /// <see cref="LinkProbeEndpoint.Lifetime"/> even if no source comes; <see cref="CloseLinkProbeAsync"/> closes it sooner.</summary>
    Task<LinkProbeEndpoint> OpenLinkProbeAsync(string migrationId, string listenAddress, CancellationToken cancellationToken);

    /// <summary>Source, when the target cannot be reached (a client node behind NAT, ADR 0020): opens the probe endpoint
    /// here instead; the target's <see cref="ProbeLinkAsync"/> dials it, this node sends and measures over that connection,
    /// and the result goes back to the dialer, so <see cref="LinkMeasurement"/> still means source → target. The endpoint
    /// has <see cref="LinkProbeEndpoint.Reverse"/> set; <see cref="CloseLinkProbeAsync"/> on this node closes it.</summary>
    Task<LinkProbeEndpoint> OpenReverseLinkProbeAsync(string migrationId, string listenAddress, CancellationToken cancellationToken);

    /// <summary>Closes the migration's link probe endpoint on this node (either kind). Idempotent; refuses nothing.</summary>
    Task CloseLinkProbeAsync(string migrationId, CancellationToken cancellationToken);

    /// <summary>Source: measures the link to <paramref name="target"/> — RTT and bandwidth, a couple of seconds of
    /// traffic at most; loss is not measured (0). Bounded by the driver. With <see cref="LinkProbeEndpoint.Reverse"/> this
    /// is the target's call: it dials the source's endpoint, answers its probe and returns the source's measurement.</summary>
    Task<LinkMeasurement> ProbeLinkAsync(LinkProbeEndpoint target, CancellationToken cancellationToken);

    /// <summary>Source, before the target prepares, when the target opens every connection itself (a client node behind
    /// NAT, ADR 0020): opens this migration's rendezvous — a TLS listener on <paramref name="listenAddress"/> (this node's
    /// underlay address) with a fresh token — where the target's tunnel parks connections for the streams to come. Pass it
    /// to the target in <see cref="IncomingMigrationRequest.DialSource"/>. Needs <see cref="MigrationTransport.Tunnel"/>.
    /// Idempotent for the same migration (the same rendezvous comes back); <see cref="CancelOutgoingAsync"/> and
    /// <see cref="CompleteOutgoingAsync"/> close it.</summary>
    Task<OutgoingRendezvous> OpenOutgoingRendezvousAsync(string migrationId, string vmId, string listenAddress, CancellationToken cancellationToken);

    /// <summary>Target: creates the VM's disk (per <see cref="IncomingMigrationRequest.Disk"/>), its taps, starts it
    /// paused waiting for incoming state, and exports the disk over NBD. With <see cref="IncomingMigrationRequest.DialSource"/>
    /// nothing listens here: the node's tunnel dials the source's rendezvous instead. A node that keeps its templates apart
    /// from the Server's provisions the VM's template first and says how many bytes it fetched
    /// (<see cref="IncomingMigration.BaseBytesFetched"/>).</summary>
    Task<IncomingMigration> PrepareIncomingAsync(IncomingMigrationRequest request, CancellationToken cancellationToken);

    /// <summary>Target: after the source reported <see cref="OutgoingMigrationState.Completed"/> and released the
    /// export: stops the NBD export and resumes the guest. From here on the VM runs on this node.</summary>
    Task CompleteIncomingAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Target: removes everything <see cref="PrepareIncomingAsync"/> made (process, taps, disk, files).
    /// Idempotent; refuses nothing.</summary>
    Task AbortIncomingAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Source: connects to the target's export and starts mirroring the disk (<c>blockdev-mirror</c>).
    /// Returns at once; progress through <see cref="GetOutgoingStatusAsync"/>. For an offline move it first starts the
    /// stopped VM's QEMU paused (<see cref="OutgoingMigrationRequest.Offline"/>).</summary>
    Task StartDiskMirrorAsync(OutgoingMigrationRequest request, CancellationToken cancellationToken);

    /// <summary>Source: once the mirror is in sync (<see cref="OutgoingMigrationState.DiskReady"/>), applies the
    /// parameters and starts sending RAM (<c>migrate</c>). Returns at once.</summary>
    Task StartRamMigrationAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Source: where the outgoing migration of <paramref name="vmId"/> is.</summary>
    Task<OutgoingMigrationStatus> GetOutgoingStatusAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Source: carries out a decision of <see cref="MigrationPolicy.Decide"/> (downtime limit, throttle,
    /// post-copy). <see cref="MigrationAction.Abort"/> is <see cref="CancelOutgoingAsync"/>.</summary>
    Task ApplyDecisionAsync(string vmId, MigrationDecision decision, CancellationToken cancellationToken);

    /// <summary>Source: after <see cref="OutgoingMigrationState.Completed"/>: ends the mirror without pivoting and
    /// detaches the target's export. The source guest stays paused; delete it once the target runs.</summary>
    Task CompleteOutgoingAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Source: cancels the RAM migration and the mirror, detaches the export and resumes the guest if the
    /// migration paused it: the VM keeps running here. Safe in any state (no-op when nothing runs). Not possible
    /// once post-copy started (the guest then runs on the target).</summary>
    Task CancelOutgoingAsync(string vmId, CancellationToken cancellationToken);
}

/// <summary>How the disk crosses.</summary>
public enum DiskTransfer
{
    /// <summary>Only the VM's own overlay: the target has the template (content-addressed base) and backs its new
    /// overlay with it (<c>sync: top</c>).</summary>
    Overlay,

    /// <summary>The whole disk, base included, into a standalone image (<c>sync: full</c>): what Proxmox's
    /// <c>qm migrate --with-local-disks</c> does. Kept for the baseline measurements.</summary>
    Full,

    /// <summary>Check-in (ADR 0021): the target already holds the VM's retained copy and receives it as the VM's disk; the
    /// source sends only the clusters its persistent dirty bitmap marks (incremental <c>blockdev-backup</c>), the last of
    /// them while it is paused before the switch-over.</summary>
    Incremental,

    /// <summary>Nothing crosses (ADR 0055, shared pool): source and target keep their disks in the same Ceph pool
    /// (<see cref="Nodes.NodeStorage.SharesDisksWith"/>), so the target opens the very image the source runs on and only RAM
    /// and device state move; no NBD export, no mirror. After the switch-over the image is the target's: the source's
    /// delete leaves it.</summary>
    Shared,
}

/// <summary>What the target needs to receive a VM.</summary>
/// <param name="MigrationId">The migration's id (for logs and file names).</param>
/// <param name="Spec">The VM as it runs on the source (same MACs, NICs, CPUs, memory).</param>
/// <param name="ListenAddress">The target's address the source reaches (its underlay address; 127.0.0.1 on one host).</param>
/// <param name="Disk">How the disk crosses.</param>
/// <param name="DiskVirtualSizeBytes">The source disk's virtual size; the target's disk gets the same.</param>
/// <param name="Parameters">The migration's parameters: capabilities such as multifd must be set on both ends.</param>
/// <param name="Tls">Encrypt and authenticate the migration stream and NBD with the node's platform certificate.</param>
/// <param name="Offline">An offline move of a stopped VM: <see cref="IVmMigrationDriver.CompleteIncomingAsync"/> leaves the
/// guest paused, never run (the caller then stops it: the VM stays stopped, now on this node).</param>
/// <param name="BootId">The boot id the guest was configured for on the source (<see cref="VmObservation.BootId"/>): the
/// target's process takes it over, because a live-migrated guest does not boot again — its addresses and hostname are
/// still applied, and configuring it again would flush its addresses right after the switch-over. Null: a new id.</param>
/// <param name="DialSource">Reverse mode (ADR 0020): the source's rendezvous, which this node's tunnel dials out to;
/// <paramref name="ListenAddress"/> is then unused. Null: the target listens, as before (ADR 0013).</param>
public sealed record IncomingMigrationRequest(
    string MigrationId,
    VmSpec Spec,
    string ListenAddress,
    DiskTransfer Disk,
    long DiskVirtualSizeBytes,
    MigrationParameters Parameters,
    bool Tls,
    bool Offline = false,
    string? BootId = null,
    OutgoingRendezvous? DialSource = null);

/// <summary>Where the target waits.</summary>
/// <param name="Host">Address both listeners are on.</param>
/// <param name="MigrationPort">TCP port of QEMU's incoming migration.</param>
/// <param name="NbdPort">TCP port of the NBD server.</param>
/// <param name="NbdExport">Export name of the disk.</param>
/// <param name="TlsHostname">Name the source checks the target's certificate against; null without TLS.</param>
/// <param name="TunnelPort">With <see cref="MigrationTransport.Tunnel"/>: the TCP port of the target's tunnel (TLS) on
/// <paramref name="Host"/>; <paramref name="MigrationPort"/> and <paramref name="NbdPort"/> are then 0 (QEMU listens on
/// unix sockets behind the tunnel).</param>
/// <param name="TunnelToken">With a tunnel: the secret the source presents for this migration's channels.</param>
/// <param name="DialsSource">Reverse mode (ADR 0020): nothing waits on <paramref name="Host"/>; this node's tunnel parks
/// connections at the source's rendezvous, which the source's tunnel uses. <paramref name="TunnelPort"/> is then 0.</param>
public sealed record IncomingMigration(
    string Host, int MigrationPort, int NbdPort, string NbdExport, string? TlsHostname, int TunnelPort = 0, string? TunnelToken = null,
    bool DialsSource = false)
{
    /// <summary>Bytes of the template the target provisioned (fetched from the Server) before it could prepare: the
    /// migration's base bytes (ADR 0036). 0 when it already had them.</summary>
    public long BaseBytesFetched { get; init; }
}

/// <summary>What the source needs to send a VM.</summary>
/// <param name="Offline">The VM is stopped: <see cref="IVmMigrationDriver.StartDiskMirrorAsync"/> starts its QEMU from its
/// last spec paused before the guest runs an instruction (<c>-S</c>), so its disk (and its empty state) move the same
/// way as a running VM's; <see cref="IVmMigrationDriver.CancelOutgoingAsync"/> stops that QEMU again.</param>
public sealed record OutgoingMigrationRequest(
    string MigrationId,
    string VmId,
    IncomingMigration Target,
    DiskTransfer Disk,
    MigrationParameters Parameters,
    bool Tls,
    bool Offline = false);

/// <summary>Where an outgoing migration is.</summary>
public enum OutgoingMigrationState
{
    /// <summary>No migration known for this VM on this node.</summary>
    None,

    /// <summary>The disk mirror copies; not yet in sync.</summary>
    MirroringDisk,

    /// <summary>The mirror is in sync (writes go to both sides); RAM may start.</summary>
    DiskReady,

    /// <summary>RAM pre-copy runs.</summary>
    MigratingRam,

    /// <summary>Switched to post-copy: the guest runs on the target.</summary>
    PostCopy,

    /// <summary>RAM and device state are on the target; the source guest is paused. Next: CompleteOutgoing.</summary>
    Completed,

    /// <summary>QEMU reported a failure (the link broke, the target died…): see <see cref="OutgoingMigrationStatus.Error"/>.</summary>
    Failed,

    /// <summary>Cancelled; the guest runs on the source.</summary>
    Cancelled,
}

/// <summary>One poll of an outgoing migration.</summary>
/// <param name="State">Where it is.</param>
/// <param name="DiskBytesDone">Bytes the mirror has copied (<c>offset</c> of the block job).</param>
/// <param name="DiskBytesTotal">Bytes the mirror must copy so far (<c>len</c>; grows with guest writes).</param>
/// <param name="Ram">The RAM phase's progress (null before it starts).</param>
/// <param name="Downtime">QEMU's measured downtime once completed.</param>
/// <param name="SetupTime">QEMU's setup time of the RAM phase once completed.</param>
/// <param name="RamBytesTotalTransferred">All RAM-phase bytes QEMU sent (<c>ram.transferred</c> incl. compression savings not counted).</param>
/// <param name="Error">QEMU's error text when <see cref="OutgoingMigrationState.Failed"/>.</param>
/// <param name="TunnelBytes">With <see cref="MigrationTransport.Tunnel"/>: the bytes the source's tunnel sent and received
/// on the link so far (compressed, both streams); 0 otherwise.</param>
public sealed record OutgoingMigrationStatus(
    OutgoingMigrationState State,
    long DiskBytesDone,
    long DiskBytesTotal,
    MigrationProgress? Ram,
    TimeSpan? Downtime,
    TimeSpan? SetupTime,
    long RamBytesTotalTransferred,
    string? Error,
    long TunnelBytes = 0);
