using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>Check-out and check-in's disk side: event ids 2100–2149.</summary>
internal static partial class CheckoutLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "VM {VmId}: its disk is kept here as the retained copy of a check-out")]
    public static partial void Retained(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "VM {VmId}: retained copy exported for the client's sync on {Host}:{Port}")]
    public static partial void Exported(this ILogger logger, string vmId, string host, int port);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "VM {VmId}: retained copy export closed")]
    public static partial void ExportClosed(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "VM {VmId}: retained copy deleted")]
    public static partial void Released(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "VM {VmId}: retained copy lent to check-in {MigrationId}")]
    public static partial void Lent(this ILogger logger, string vmId, string migrationId);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "VM {VmId}: check-in {MigrationId} gave the retained copy back")]
    public static partial void Returned(this ILogger logger, string vmId, string migrationId);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "VM {VmId}: writes are tracked (persistent bitmap)")]
    public static partial void TrackingStarted(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning,
        Message = "VM {VmId}: the write-tracking bitmap is inconsistent (QEMU did not close the disk cleanly); the next sync copies the whole overlay")]
    public static partial void BitmapInconsistent(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Information,
        Message = "VM {VmId}: synced {Bytes} bytes ({TunnelBytes} on the link) in {Seconds:0.0} s, full copy {Full}")]
    public static partial void Synced(this ILogger logger, string vmId, long bytes, long tunnelBytes, double seconds, bool full);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Warning, Message = "VM {VmId}: sync failed, the bitmap keeps every block: {Error}")]
    public static partial void SyncFailed(this ILogger logger, string vmId, string error);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "VM {VmId}: check-in copy {Job} started ({Mode})")]
    public static partial void CheckinCopyStarted(this ILogger logger, string vmId, string job, string mode);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Information,
        Message = "VM {VmId}: paused before the switch-over; the last {Bytes} changed bytes are copied, then the migration continues")]
    public static partial void FinalCopyDone(this ILogger logger, string vmId, long bytes);
}
