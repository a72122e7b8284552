using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

internal static partial class TunnelLog
{
    [LoggerMessage(EventId = 1320, Level = LogLevel.Information, Message = "VM {VmId}: migration tunnel listens on {Host}:{Port} (zstd level {Level})")]
    public static partial void IncomingOpened(this ILogger logger, string vmId, string host, int port, int level);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Information, Message = "VM {VmId}: migration tunnel to {Host}:{Port} ready at {Directory} (zstd level {Level})")]
    public static partial void OutgoingOpened(this ILogger logger, string vmId, string host, int port, string directory, int level);

    [LoggerMessage(EventId = 1322, Level = LogLevel.Information,
        Message = "VM {VmId}: migration tunnel closed: sent {RawSent} bytes as {WireSent} on the link, received {WireReceived} bytes as {RawReceived}")]
    public static partial void Closed(this ILogger logger, string vmId, long rawSent, long wireSent, long wireReceived, long rawReceived);

    [LoggerMessage(EventId = 1323, Level = LogLevel.Warning, Message = "VM {VmId}: a migration tunnel connection was refused: {Reason}")]
    public static partial void Refused(this ILogger logger, string vmId, string reason);

    [LoggerMessage(EventId = 1324, Level = LogLevel.Information, Message = "VM {VmId}: a migration tunnel connection ({Channel}) ended: {Reason}")]
    public static partial void ConnectionEnded(this ILogger logger, string vmId, string channel, string reason);
}
