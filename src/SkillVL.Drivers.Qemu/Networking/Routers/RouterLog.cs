using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Networking.Routers;

/// <summary>Log lines of room routers, source-generated. Event ids 1640-1649 (networking is 1600-1699).</summary>
internal static partial class RouterLog
{
    [LoggerMessage(EventId = 1640, Level = LogLevel.Information, Message = "Router {Router}: namespace {Namespace} with {Legs} leg(s), DHCP/DNS {Services}")]
    public static partial void RouterCreated(this ILogger logger, string router, string @namespace, int legs, bool services);

    [LoggerMessage(EventId = 1641, Level = LogLevel.Information, Message = "Router {Router}: deleted namespace {Namespace}")]
    public static partial void RouterDeleted(this ILogger logger, string router, string @namespace);

    [LoggerMessage(EventId = 1642, Level = LogLevel.Warning, Message = "Router {Router}: building it failed; removing what was made")]
    public static partial void RouterFailed(this ILogger logger, string router, Exception exception);

    [LoggerMessage(EventId = 1643, Level = LogLevel.Warning, Message = "Router {Router}: leg {Veth} was not on its bridge {Bridge} (the bridge was made again); put it back")]
    public static partial void RouterLegReattached(this ILogger logger, string router, string veth, string bridge);
}
