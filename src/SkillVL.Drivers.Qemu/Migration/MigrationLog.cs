using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Migration;

internal static partial class MigrationLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information,
        Message = "VM {VmId} waits for migration {MigrationId} on {Host} (migration port {MigrationPort}, NBD port {NbdPort}, tunnel port {TunnelPort}, disk {Disk}, TLS {Tls})")]
    public static partial void IncomingPrepared(this ILogger logger, string vmId, string migrationId, string host, int migrationPort, int nbdPort, int tunnelPort, SkillVL.Core.Compute.DiskTransfer disk, bool tls);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "VM {VmId} resumed here after migration {MigrationId}")]
    public static partial void IncomingCompleted(this ILogger logger, string vmId, string migrationId);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Incoming VM {VmId} of migration {MigrationId} removed")]
    public static partial void IncomingAborted(this ILogger logger, string vmId, string? migrationId);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information,
        Message = "VM {VmId}: mirroring its disk ({Disk}) to {Host}:{NbdPort} for migration {MigrationId}")]
    public static partial void MirrorStarted(this ILogger logger, string vmId, SkillVL.Core.Compute.DiskTransfer disk, string host, int nbdPort, string migrationId);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "VM {VmId}: sending RAM to {Uri} for migration {MigrationId}")]
    public static partial void RamStarted(this ILogger logger, string vmId, string uri, string migrationId);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "VM {VmId}: migration {MigrationId} handed over; the source is paused")]
    public static partial void OutgoingCompleted(this ILogger logger, string vmId, string migrationId);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "VM {VmId}: outgoing migration {MigrationId} cancelled; the VM runs here ({State})")]
    public static partial void OutgoingCancelled(this ILogger logger, string vmId, string? migrationId, string state);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Information, Message = "VM {VmId}: {Action} ({Reason})")]
    public static partial void DecisionApplied(this ILogger logger, string vmId, SkillVL.Core.Migration.MigrationAction action, string reason);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Debug, Message = "VM {VmId}: cleanup step {Command} did nothing: {Message}")]
    public static partial void CleanupStepSkipped(this ILogger logger, string vmId, string command, string message);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Information,
        Message = "Cancelling: aborted this node's connection to the target's export {Host}:{Port} (ss exit {ExitCode})")]
    public static partial void ConnectionAborted(this ILogger logger, string host, int port, int exitCode);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information,
        Message = "VM {VmId}: measured a dirty rate of {DirtyMiBPerSecond:0.#} MiB/s over {Seconds} s; its overlay holds {OverlayBytes} bytes")]
    public static partial void Measured(this ILogger logger, string vmId, double dirtyMiBPerSecond, long overlayBytes, double seconds);
}
