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

    [LoggerMessage(EventId = 1325, Level = LogLevel.Information, Message = "Link probe {ProbeId} listens on {Host}:{Port} for at most {Seconds} s")]
    public static partial void ProbeOpened(this ILogger logger, string probeId, string host, int port, double seconds);

    [LoggerMessage(EventId = 1326, Level = LogLevel.Information, Message = "Link probe {ProbeId} closed: {Reason}")]
    public static partial void ProbeClosed(this ILogger logger, string probeId, string reason);

    [LoggerMessage(EventId = 1327, Level = LogLevel.Warning, Message = "Link probe {ProbeId}: a connection was refused: {Reason}")]
    public static partial void ProbeRefused(this ILogger logger, string probeId, string reason);

    [LoggerMessage(EventId = 1328, Level = LogLevel.Debug, Message = "Link probe {ProbeId}: a session ended: {Reason}")]
    public static partial void ProbeSessionEnded(this ILogger logger, string probeId, string reason);

    [LoggerMessage(EventId = 1329, Level = LogLevel.Information,
        Message = "Link probe to {Host}:{Port}: RTT {RttMs:0.##} ms, {Mbps:0.#} Mbit/s ({Sent} bytes sent, {Acked} acknowledged)")]
    public static partial void ProbeMeasured(this ILogger logger, string host, int port, double rttMs, double mbps, long sent, long acked);

    [LoggerMessage(EventId = 1330, Level = LogLevel.Information,
        Message = "VM {VmId}: migration rendezvous for {MigrationId} listens on {Host}:{Port}; the target dials in (ADR 0020)")]
    public static partial void RendezvousOpened(this ILogger logger, string vmId, string migrationId, string host, int port);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Information,
        Message = "VM {VmId}: migration tunnel dials the source's rendezvous {Host}:{Port} ({Parked} parked connections per channel, zstd level {Level})")]
    public static partial void DialingOpened(this ILogger logger, string vmId, string host, int port, int parked, int level);

    [LoggerMessage(EventId = 1332, Level = LogLevel.Warning,
        Message = "VM {VmId}: dialling the source's rendezvous {Host}:{Port} for {Channel} failed ({Reason}); again in {Seconds} s")]
    public static partial void DialFailed(this ILogger logger, string vmId, string channel, string host, int port, string reason, double seconds);

    [LoggerMessage(EventId = 1333, Level = LogLevel.Information, Message = "VM {VmId}: migration tunnel uses the rendezvous at {Directory} (zstd level {Level})")]
    public static partial void OutgoingReverseOpened(this ILogger logger, string vmId, string directory, int level);

    [LoggerMessage(EventId = 1334, Level = LogLevel.Warning,
        Message = "VM {VmId}: the migration rendezvous for {MigrationId} was not used within {Seconds} s; closed")]
    public static partial void RendezvousExpired(this ILogger logger, string vmId, string migrationId, double seconds);
}
