using SkillVL.Core.Addressing;
using SkillVL.Core.Networking;

namespace SkillVL.Core.Rooms;

/// <summary>
/// A room's router as the node builds it (<see cref="RouterSpec"/>, ADR 0039), from the validated room and the
/// instance's network ids. DHCP and DNS are put only on the legs where this router is the network's serving router
/// (<see cref="RoomRouting.ServingRouter"/>): two routers on one network must not both lease addresses there.
/// </summary>
public static class RouterSpecs
{
    /// <param name="room">A room that passed <see cref="RoomValidator"/>.</param>
    /// <param name="router">One of the room's routers.</param>
    /// <param name="routerId">The platform id of this instance's router (12 hex).</param>
    /// <param name="networks">Per network name of the room, the instance's network id and MTU.</param>
    public static RouterSpec For(
        RoomDefinition room, RouterDefinition router, string routerId, IReadOnlyDictionary<string, (string Id, int Mtu)> networks)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(networks);
        var legs = router.Interfaces.Select(leg =>
        {
            var network = room.Networks.Single(n => n.Name == leg.Network);
            var serves = RoomRouting.ServingRouter(room, leg.Network) is { } serving && ReferenceEquals(serving.Router, router);
            var range = serves && network.Dhcp is { } dhcp ? dhcp.Range.Split('-') : null;
            var (id, mtu) = networks[leg.Network];
            return new RouterLegSpec(
                id,
                Ipv4Cidr.Parse(network.Cidr).HostWithPrefix(System.Net.IPAddress.Parse(leg.Ip)),
                mtu,
                range?[0],
                range?[1],
                serves && network.Dns == true);
        }).ToList();
        var routes = (router.Routes ?? []).Select(r => new RouterRouteSpec(r.To, r.Via)).ToList();
        var hosts = legs.Any(l => l.Dns) ? Hosts(room) : [];
        return new RouterSpec(routerId, legs, routes, hosts);
    }

    /// <summary>Every static address of the room's machines and routers under its owner's name, in document order.</summary>
    private static List<RouterHostSpec> Hosts(RoomDefinition room) =>
        room.Machines.SelectMany(m => m.Nics.Where(n => n.Ip is not null).Select(n => new RouterHostSpec(m.Name, n.Ip!)))
            .Concat((room.Routers ?? []).SelectMany(r => r.Interfaces.Select(i => new RouterHostSpec(r.Name, i.Ip))))
            .ToList();
}
