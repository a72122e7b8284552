using SkillVL.Core.Checkout;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>A hand-written node end of check-outs: records each call as "node:checkouts.Call" in the shared log, answers
/// a fixed sync result, and throws on the calls named in <see cref="FailOn"/>.</summary>
internal sealed class FakeCheckoutDriver(string node, CallLog log) : IVmCheckoutDriver
{
    public HashSet<string> FailOn { get; } = new(StringComparer.Ordinal);

    public DiskSyncResult SyncResult { get; set; } = new(8L << 20, 7L << 20, TimeSpan.FromMilliseconds(300), FullCopy: false);

    public long DirtyBytes { get; set; } = 64L << 10;

    public DataRate? SyncSpeed { get; private set; }

    public RetainedExport Export { get; } = new("192.0.2.9", 7001, "secret-token", "node-retained");

    public Task<RetainedCopy> RetainAsync(string vmId, CancellationToken cancellationToken) =>
        Answer("Retain", new RetainedCopy(vmId, DateTimeOffset.UtcNow, 1L << 30, 1L << 20, Exported: false, Lent: false));

    public Task<RetainedCopy?> GetRetainedAsync(string vmId, CancellationToken cancellationToken) => Answer<RetainedCopy?>("GetRetained", null);

    public Task<RetainedExport> ExportRetainedAsync(string vmId, string listenAddress, CancellationToken cancellationToken) => Answer("ExportRetained", Export);

    public Task CloseRetainedExportAsync(string vmId, CancellationToken cancellationToken) => Answer("CloseRetainedExport", 0);

    public Task ReleaseRetainedAsync(string vmId, CancellationToken cancellationToken) => Answer("ReleaseRetained", 0);

    public Task StartTrackingAsync(string vmId, CancellationToken cancellationToken) => Answer("StartTracking", 0);

    public Task<WriteTracking> GetTrackingAsync(string vmId, CancellationToken cancellationToken) =>
        Answer("GetTracking", new WriteTracking(true, DirtyBytes, Inconsistent: false, FullSyncRequired: false));

    public Task<DiskSyncResult> SyncAsync(string vmId, RetainedExport target, DataRate speed, CancellationToken cancellationToken)
    {
        SyncSpeed = speed;
        return Answer("Sync", SyncResult);
    }

    /// <summary>The lease duration of the last renewal.</summary>
    public TimeSpan? RenewedFor { get; private set; }

    /// <summary>The client answers renewals with a refusal (a fenced copy): a non-transient error.</summary>
    public bool RenewRefused { get; set; }

    /// <summary>Renewals fail as a dropped connection would (transient: the call may have arrived).</summary>
    public bool RenewLost { get; set; }

    public Task<CheckoutLease> RenewLeaseAsync(string vmId, int epoch, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (RenewRefused || RenewLost)
        {
            log.Add($"{node}:checkouts.RenewLease");
            throw new DriverException(RenewLost ? "the connection dropped (test)" : "this copy was fenced (test)", isTransient: RenewLost);
        }

        RenewedFor = duration;
        return Answer("RenewLease", new CheckoutLease(vmId, epoch, DateTimeOffset.UtcNow + duration));
    }

    public Task<CheckoutLease?> GetLeaseAsync(string vmId, CancellationToken cancellationToken) => Answer<CheckoutLease?>("GetLease", null);

    /// <summary>Settable: runs inside the revive's node step.</summary>
    public Action? OnRevive { get; set; }

    public Task ReviveAsync(string vmId, CancellationToken cancellationToken)
    {
        OnRevive?.Invoke();
        return Answer("Revive", 0);
    }

    public Task<FencedCopy?> FenceAsync(string vmId, int epoch, CancellationToken cancellationToken) =>
        Answer<FencedCopy?>("Fence", new FencedCopy(vmId, epoch, $"/data/fenced/{vmId}-e{epoch}.qcow2", 3L << 20, 1L << 20, DateTimeOffset.UtcNow));

    /// <summary>The fenced copies this node holds, by (VM, epoch); <see cref="DiscardFencedAsync"/> removes them.</summary>
    public HashSet<(string VmId, int Epoch)> Fenced { get; } = [];

    public Task<bool> DiscardFencedAsync(string vmId, int epoch, CancellationToken cancellationToken) =>
        Answer("DiscardFenced", Fenced.Remove((vmId, epoch)));

    /// <summary>The disks of the fenced copies this node can send, by (VM, epoch); <see cref="OpenFencedAsync"/> reads them.</summary>
    public Dictionary<(string VmId, int Epoch), byte[]> FencedDisks { get; } = [];

    public Task<FencedDiskStream?> OpenFencedAsync(string vmId, int epoch, CancellationToken cancellationToken) =>
        Answer("OpenFenced", FencedDisks.TryGetValue((vmId, epoch), out var bytes)
            ? new FencedDiskStream(vmId, epoch, bytes.Length, new MemoryStream(bytes, writable: false))
            : null);

    private Task<T> Answer<T>(string call, T value)
    {
        log.Add($"{node}:checkouts.{call}");
        return FailOn.Contains(call) ? throw new DriverException($"{call} failed on {node} (test)") : Task.FromResult(value);
    }
}
