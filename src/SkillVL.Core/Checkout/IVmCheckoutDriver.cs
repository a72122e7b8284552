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
}
