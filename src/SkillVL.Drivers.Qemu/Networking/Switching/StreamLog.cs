using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>Log lines of stream mode (ADR 0052), source-generated. Event ids 1670-1679 (networking is 1600-1699).</summary>
internal static partial class StreamLog
{
    [LoggerMessage(EventId = 1670, Level = LogLevel.Information, Message = "Stream network {NetworkId}: NIC {NicId} connected ({Socket})")]
    public static partial void VmPortConnected(this ILogger logger, string networkId, string nicId, string socket);

    [LoggerMessage(EventId = 1671, Level = LogLevel.Information, Message = "Stream network {NetworkId}: NIC {NicId} disconnected ({Reason}); reconnecting")]
    public static partial void VmPortDisconnected(this ILogger logger, string networkId, string nicId, string reason);

    [LoggerMessage(EventId = 1672, Level = LogLevel.Debug, Message = "Stream network {NetworkId}: waiting for the socket of NIC {NicId} ({Error})")]
    public static partial void VmPortWaiting(this ILogger logger, string networkId, string nicId, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 1673, Level = LogLevel.Information, Message = "Stream network {NetworkId} created (MTU {Mtu}, relay to {Hub})")]
    public static partial void SwitchCreated(this ILogger logger, string networkId, int mtu, string hub);

    [LoggerMessage(EventId = 1674, Level = LogLevel.Information, Message = "Stream network {NetworkId} deleted")]
    public static partial void SwitchDeleted(this ILogger logger, string networkId);
}
