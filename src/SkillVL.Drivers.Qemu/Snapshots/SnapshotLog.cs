using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Snapshots;

/// <summary>Snapshots of VMs: event ids 2200–2219.</summary>
internal static partial class SnapshotLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "VM {VmId}: snapshot {Name} taken (with RAM: {WithRam}) in {Milliseconds} ms")]
    public static partial void SnapshotCreated(this ILogger logger, string vmId, string name, bool withRam, long milliseconds);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "VM {VmId}: reverted to snapshot {Name} ({How}) in {Milliseconds} ms")]
    public static partial void SnapshotReverted(this ILogger logger, string vmId, string name, string how, long milliseconds);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "VM {VmId}: snapshot {Name} deleted")]
    public static partial void SnapshotDeleted(this ILogger logger, string vmId, string name);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "VM {VmId}: a leftover snapshot job could not be dismissed")]
    public static partial void LeftoverJobNotDismissed(this ILogger logger, string vmId, Exception exception);
}
