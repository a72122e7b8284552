using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>Log lines of the room-network relay (ADR 0019), source-generated. Event ids 1620-1639 (networking is 1600-1699).</summary>
internal static partial class RelayLog
{
    [LoggerMessage(EventId = 1620, Level = LogLevel.Information, Message = "Relay of network {NetworkId}: connected to hub {Hub} ({Address}:{Port}) through {Tap}")]
    public static partial void RelayConnected(this ILogger logger, string networkId, string hub, string address, int port, string tap);

    [LoggerMessage(EventId = 1621, Level = LogLevel.Warning, Message = "Relay of network {NetworkId}: connection to hub {Hub} ended ({Reason}); reconnecting in {Backoff}")]
    public static partial void RelayDisconnected(this ILogger logger, string networkId, string hub, string reason, TimeSpan backoff);

    [LoggerMessage(EventId = 1622, Level = LogLevel.Warning, Message = "Relay of network {NetworkId}: cannot connect to hub {Hub} ({Reason}); next attempt in {Backoff}")]
    public static partial void RelayConnectFailed(this ILogger logger, string networkId, string hub, string reason, TimeSpan backoff);

    [LoggerMessage(EventId = 1623, Level = LogLevel.Information, Message = "Relay hub listening on {Address}:{Port}")]
    public static partial void HubListening(this ILogger logger, string address, int port);

    [LoggerMessage(EventId = 1624, Level = LogLevel.Information, Message = "Relay hub on {Address}:{Port} closed (no relayed networks left)")]
    public static partial void HubClosed(this ILogger logger, string address, int port);

    [LoggerMessage(EventId = 1625, Level = LogLevel.Information, Message = "Relay hub: client {Client} attached to network {NetworkId} through {Tap}")]
    public static partial void HubClientAttached(this ILogger logger, string client, string networkId, string tap);

    [LoggerMessage(EventId = 1626, Level = LogLevel.Information, Message = "Relay hub: client {Client} of network {NetworkId} detached ({Reason})")]
    public static partial void HubClientDetached(this ILogger logger, string client, string networkId, string reason);

    [LoggerMessage(EventId = 1627, Level = LogLevel.Warning, Message = "Relay hub: refused a connection from {Remote} (certificate names {Names}) for network {NetworkId}: {Reason}")]
    public static partial void HubRefused(this ILogger logger, string remote, string names, string networkId, string reason);

    [LoggerMessage(EventId = 1628, Level = LogLevel.Warning, Message = "Relay hub: connection from {Remote} failed before it was attached: {Reason}")]
    public static partial void HubHandshakeFailed(this ILogger logger, string remote, string reason);
}
