using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>Log lines of the VXLAN overlay, source-generated. Event ids 1610-1619 (networking is 1600-1699).</summary>
internal static partial class OverlayLog
{
    [LoggerMessage(EventId = 1610, Level = LogLevel.Information, Message = "VXLAN {Device} (VNI {Vni}, local {Local}, UDP {Port}) attached to {Bridge}")]
    public static partial void VxlanAttached(this ILogger logger, string device, int vni, string local, int port, string bridge);

    [LoggerMessage(
        EventId = 1611,
        Level = LogLevel.Information,
        Message = "VXLAN {Device} is VNI {ObservedVni} local {ObservedLocal} UDP {ObservedPort}, wanted VNI {Vni} local {Local} UDP {Port}: recreating it")]
    public static partial void VxlanRecreating(
        this ILogger logger, string device, int observedVni, string? observedLocal, int observedPort, int vni, string local, int port);

    [LoggerMessage(EventId = 1612, Level = LogLevel.Information, Message = "Deleted VXLAN {Device}")]
    public static partial void VxlanDeleted(this ILogger logger, string device);

    [LoggerMessage(EventId = 1613, Level = LogLevel.Information, Message = "VXLAN {Device} now replicates to peer {Peer}")]
    public static partial void VxlanPeerAdded(this ILogger logger, string device, string peer);

    [LoggerMessage(EventId = 1614, Level = LogLevel.Information, Message = "VXLAN {Device} no longer replicates to peer {Peer}")]
    public static partial void VxlanPeerRemoved(this ILogger logger, string device, string peer);

    [LoggerMessage(EventId = 1615, Level = LogLevel.Warning, Message = "VXLAN {Device} exists but belongs to {Alias}, not to this instance; left alone")]
    public static partial void VxlanOfOtherOwner(this ILogger logger, string device, string alias);
}
