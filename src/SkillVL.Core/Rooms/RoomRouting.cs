namespace SkillVL.Core.Rooms;

/// <summary>
/// What a room's routers mean for its machines (ADR 0039): which router serves a network (its DHCP and
/// DNS, and the gateway machines there get by default), and each machine's default gateway and name server.
/// Pure; expects a room that passed <see cref="RoomValidator"/>.
/// </summary>
public static class RoomRouting
{
    /// <summary>
    /// The router that serves <paramref name="network"/> and its address there: the first router, in document
    /// order, with an interface on it; null when no router joins the network.
    /// </summary>
    public static (RouterDefinition Router, string Ip)? ServingRouter(RoomDefinition room, string network)
    {
        ArgumentNullException.ThrowIfNull(room);
        foreach (var router in room.Routers ?? [])
        {
            if (router.Interfaces.FirstOrDefault(i => i.Network == network) is { } leg)
            {
                return (router, leg.Ip);
            }
        }

        return null;
    }

    /// <summary>
    /// The machine's default gateway: its own <see cref="MachineDefinition.Gateway"/>, else the serving router
    /// of the network of its first NIC (in order) with a static address that has one; null: no default route. A
    /// machine with two routed networks gets one gateway, the first, as a host with one routing table would. A NIC
    /// without <c>ip</c> is skipped: it takes DHCP (whose lease brings the gateway) or the student's own setup, and a
    /// route through it could not be set before it has an address.
    /// </summary>
    public static string? DefaultGateway(RoomDefinition room, MachineDefinition machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        if (machine.Gateway is { } explicitGateway)
        {
            return explicitGateway;
        }

        foreach (var nic in machine.Nics.Where(n => n.Ip is not null))
        {
            if (ServingRouter(room, nic.Network) is { } serving)
            {
                return serving.Ip;
            }
        }

        return null;
    }

    /// <summary>
    /// The name server a machine with static addresses is told about: the serving router of the first of its
    /// NICs with a static address whose network has <c>dns: true</c>; null: none (the guest's resolver is left
    /// alone). NICs that take DHCP learn it from their lease instead.
    /// </summary>
    public static string? NameServer(RoomDefinition room, MachineDefinition machine)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(machine);
        foreach (var nic in machine.Nics.Where(n => n.Ip is not null))
        {
            if (room.Networks.FirstOrDefault(n => n.Name == nic.Network) is { Dns: true }
                && ServingRouter(room, nic.Network) is { } serving)
            {
                return serving.Ip;
            }
        }

        return null;
    }
}
