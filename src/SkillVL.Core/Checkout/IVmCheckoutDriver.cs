using SkillVL.Core.Migration;

namespace SkillVL.Core.Checkout;

/// <summary>
/// The node side of a check-out (ADR 0021): a VM lives on its owner's machine (the client) while a server node keeps
/// the copy of its disk it had when the VM left (the <em>retained copy</em>). The client tracks every block the guest
/// writes in a persistent dirty bitmap in the VM's qcow2 and syncs the changed blocks into the retained copy, over a
/// connection the client opens; check-in then moves the VM back with <see cref="Compute.DiskTransfer.Incremental"/>,
/// sending only what changed since the last sync. The Server orchestrates; these calls are the mechanics. Every call is
/// idempotent and bounded; none decides policy (when to sync, leases, fencing).
/// </summary>
public interface IVmCheckoutDriver
{
    /// <summary>Server node, after the check-out's migration completed (<c>CompleteOutgoing</c>): ends the VM's paused
    /// QEMU here and keeps its disk as the VM's retained copy, where <see cref="ExportRetainedAsync"/> and a later
    /// check-in find it; the VM itself no longer exists on this node. Repeating it returns the same copy.</summary>
    Task<RetainedCopy> RetainAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Server node: the VM's retained copy, or null when this node holds none.</summary>
    Task<RetainedCopy?> GetRetainedAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Server node: exports the retained copy writable for the client's sync behind this node's tunnel (TLS
    /// with the platform CA, a fresh token) on <paramref name="listenAddress"/>. Repeating it returns the open export.</summary>
    Task<RetainedExport> ExportRetainedAsync(string vmId, string listenAddress, CancellationToken cancellationToken);

    /// <summary>Server node: closes the export (listener, connections, the process holding the disk). Idempotent.</summary>
    Task CloseRetainedExportAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Server node: deletes the retained copy (the check-out ended another way, e.g. the VM was deleted).
    /// Explicit only: nothing else removes it. Idempotent.</summary>
    Task ReleaseRetainedAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Client, when the check-out's incoming migration has completed and before the guest resumes
    /// (<c>CompleteIncoming</c>): adds the persistent dirty bitmap that records every write from now on. The guest must
    /// not be running yet (a write before it would be missed). No-op when the bitmap exists.</summary>
    Task StartTrackingAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>Client: whether writes are tracked, how many bytes are dirty, and whether the bitmap can be trusted.</summary>
    Task<WriteTracking> GetTrackingAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>
    /// Client: copies the blocks written since the last successful sync into <paramref name="target"/> (the server's
    /// retained copy), point-in-time consistent as of the call, at most <paramref name="speed"/>. The client dials. On
    /// success the bitmap then holds only what was written during the sync; on failure or cancellation it keeps every
    /// block (nothing is lost; the next sync sends them). With an untrustworthy bitmap (QEMU was killed) it copies the
    /// whole overlay instead and says so (<see cref="DiskSyncResult.FullCopy"/>). Returns when the copy ended; bounded by
    /// <paramref name="cancellationToken"/>, which the caller sizes for the link.
    /// </summary>
    Task<DiskSyncResult> SyncAsync(string vmId, RetainedExport target, DataRate speed, CancellationToken cancellationToken);

    /// <summary>
    /// Client: renews the VM's lease (ADR 0025): its deadline becomes this node's clock now + <paramref name="duration"/>,
    /// kept with the VM for restarts, for check-out <paramref name="epoch"/>. A VM paused because its lease had run out
    /// resumes. Refused when the VM's copy is fenced or belongs to a newer epoch. Returns the lease as stored.
    /// </summary>
    Task<CheckoutLease> RenewLeaseAsync(string vmId, int epoch, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Client: the VM's lease, or null when the VM is not checked out to this node.</summary>
    Task<CheckoutLease?> GetLeaseAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>
    /// Server node: the retained copy becomes the VM's own disk here (a cold boot from the last sync follows, by the
    /// ordinary start); the export is closed first. Idempotent: a VM whose disk is already the revived copy is left.
    /// </summary>
    Task ReviveAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>
    /// Client: the VM was revived elsewhere. Stops its QEMU, marks the copy fenced (no start takes it again) and moves
    /// its disk to <c>&lt;data&gt;/fenced/</c> with what its bitmap says was written since the last sync. Only a copy of
    /// <paramref name="epoch"/> or older is fenced (null: no such VM here, or a newer one). Idempotent.
    /// </summary>
    Task<FencedCopy?> FenceAsync(string vmId, int epoch, CancellationToken cancellationToken);

    /// <summary>
    /// Client: deletes the fenced copy of the VM's <paramref name="epoch"/> (its disk and record in
    /// <c>&lt;data&gt;/fenced/</c>) — someone with the right to the machine decided it is not needed, or the machine is
    /// gone. Returns whether there was one. Idempotent.
    /// </summary>
    Task<bool> DiscardFencedAsync(string vmId, int epoch, CancellationToken cancellationToken);

    /// <summary>
    /// Client: opens the disk of the VM's fenced copy of <paramref name="epoch"/> for reading (ADR 0044), so the machine's
    /// owner can get back what the laptop wrote after its last sync. Null when this node holds no such copy. Only a file
    /// inside <c>&lt;data&gt;/fenced/</c> is ever opened (the record naming it is data read back from disk). Opening is
    /// bounded by <paramref name="cancellationToken"/>; reading the stream is the caller's to bound.
    /// </summary>
    Task<FencedDiskStream?> OpenFencedAsync(string vmId, int epoch, CancellationToken cancellationToken);
}
