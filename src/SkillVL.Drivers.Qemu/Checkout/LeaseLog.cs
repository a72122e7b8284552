using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>Log messages of check-out leases and fencing on a node (ADR 0025).</summary>
internal static partial class LeaseLog
{
    [LoggerMessage(EventId = 2130, Level = LogLevel.Debug, Message = "VM {VmId}: lease of epoch {Epoch} renewed until {ExpiresAt:u}")]
    public static partial void LeaseRenewed(this ILogger logger, string vmId, int epoch, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 2131, Level = LogLevel.Warning,
        Message = "VM {VmId}: its check-out lease ran out (epoch {Epoch}); the VM is paused until the Server renews it")]
    public static partial void LeaseExpiredPaused(this ILogger logger, string vmId, int epoch);

    [LoggerMessage(EventId = 2132, Level = LogLevel.Information, Message = "VM {VmId}: lease renewed after it had run out; the VM resumes")]
    public static partial void LeaseResumed(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 2133, Level = LogLevel.Warning,
        Message = "VM {VmId}: fenced (epoch {Epoch}); its disk is kept at {Path} ({Bytes} bytes written since the last sync)")]
    public static partial void Fenced(this ILogger logger, string vmId, int epoch, string path, long? bytes);

    [LoggerMessage(EventId = 2136, Level = LogLevel.Information, Message = "VM {VmId}: its fenced copy of epoch {Epoch} ({Path}) was deleted")]
    public static partial void FencedDiscarded(this ILogger logger, string vmId, int epoch, string path);

    [LoggerMessage(EventId = 2137, Level = LogLevel.Information, Message = "VM {VmId}: its fenced copy of epoch {Epoch} ({Path}, {Bytes} bytes) was opened to be sent")]
    public static partial void FencedOpened(this ILogger logger, string vmId, int epoch, string path, long bytes);

    [LoggerMessage(EventId = 2134, Level = LogLevel.Information, Message = "VM {VmId}: the retained copy is now its disk on this node (revived)")]
    public static partial void Revived(this ILogger logger, string vmId);

    [LoggerMessage(EventId = 2135, Level = LogLevel.Warning, Message = "Lease watch: pausing VM {VmId} failed")]
    public static partial void PauseFailed(this ILogger logger, string vmId, Exception exception);
}
