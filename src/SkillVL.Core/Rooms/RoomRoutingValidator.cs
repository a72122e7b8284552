using System.Net;
using SkillVL.Core.Addressing;

namespace SkillVL.Core.Rooms;

/// <summary>
/// The routing rules of a room (issue 18, ADR 0039), checked after networks and machines: routers' names
/// and addresses, their static routes, machines' gateways, and each network's DHCP, DNS and internet policy.
/// Messages name the router or network in words ("router 'r1': …") because a router is known by its name.
/// </summary>
internal static class RoomRoutingValidator
{
    public static void Validate(
        RoomDefinition room,
        Dictionary<string, KnownNetwork> networks,
        Dictionary<(string Network, uint Address), string> addresses,
        List<ValidationError> errors)
    {
        ValidateRouters(room, networks, addresses, errors);
        ValidateGateways(room, networks, errors);
        ValidateServices(room, networks, addresses, errors);
    }

    private static void ValidateRouters(
        RoomDefinition room,
        Dictionary<string, KnownNetwork> networks,
        Dictionary<(string Network, uint Address), string> addresses,
        List<ValidationError> errors)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < room.Machines.Count; i++)
        {
            names.TryAdd(room.Machines[i].Name, Item("machines", i));
        }

        var routers = room.Routers ?? [];
        for (var i = 0; i < routers.Count; i++)
        {
            var router = routers[i];
            var path = Item("routers", i);
            if (!names.TryAdd(router.Name, path))
            {
                // Machine and router names share the room's DNS: one name, one host.
                errors.Add(new($"{path}.name", $"'{router.Name}' is already the name of {names[router.Name]}"));
            }

            var legs = ValidateInterfaces(router, path, networks, addresses, errors);
            ValidateRoutes(router, path, legs, errors);
        }
    }

    /// <summary>The router's usable legs (network name, CIDR, address) for its routes' checks.</summary>
    private static List<(string Network, Ipv4Cidr Cidr, IPAddress Ip)> ValidateInterfaces(
        RouterDefinition router,
        string path,
        Dictionary<string, KnownNetwork> networks,
        Dictionary<(string Network, uint Address), string> addresses,
        List<ValidationError> errors)
    {
        var legs = new List<(string Network, Ipv4Cidr Cidr, IPAddress Ip)>();
        var joined = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var j = 0; j < router.Interfaces.Count; j++)
        {
            var leg = router.Interfaces[j];
            var legPath = $"{path}.{Item("interfaces", j)}";
            if (!networks.TryGetValue(leg.Network, out var network))
            {
                var known = networks.Count == 0 ? "the room has no networks" : "known: " + string.Join(", ", networks.Keys);
                errors.Add(new($"{legPath}.network", $"router '{router.Name}': unknown network '{leg.Network}'; {known}"));
                continue;
            }

            if (!joined.TryAdd(leg.Network, j))
            {
                errors.Add(new(
                    $"{legPath}.network",
                    $"router '{router.Name}' already has an interface on '{leg.Network}' ({Item("interfaces", joined[leg.Network])})"));
                continue;
            }

            var ipPath = $"{legPath}.ip";
            if (!Ipv4Address.TryParse(leg.Ip, out var ip))
            {
                errors.Add(new(ipPath, $"router '{router.Name}': '{leg.Ip}' is not a valid IPv4 address (write it like 10.0.1.1)"));
                continue;
            }

            if (network.Cidr is not { } cidr)
            {
                continue;
            }

            if (!cidr.Contains(ip))
            {
                errors.Add(new(ipPath, $"router '{router.Name}': {ip} is not inside {leg.Network} ({cidr})"));
                continue;
            }

            if (RoomValidator.CheckAddressInNetwork(ip, leg.Network, cidr) is { } problem)
            {
                errors.Add(new(ipPath, $"router '{router.Name}': {problem.Replace("a machine", "a router", StringComparison.Ordinal)}"));
                continue;
            }

            if (!addresses.TryAdd((leg.Network, Ipv4Address.ToUInt32(ip)), legPath))
            {
                errors.Add(new(ipPath, $"router '{router.Name}': {ip} is already used by {addresses[(leg.Network, Ipv4Address.ToUInt32(ip))]}"));
                continue;
            }

            legs.Add((leg.Network, cidr, ip));
        }

        return legs;
    }

    private static void ValidateRoutes(
        RouterDefinition router, string path, List<(string Network, Ipv4Cidr Cidr, IPAddress Ip)> legs, List<ValidationError> errors)
    {
        var routes = router.Routes ?? [];
        var destinations = new Dictionary<Ipv4Cidr, int>();
        for (var k = 0; k < routes.Count; k++)
        {
            var route = routes[k];
            var routePath = $"{path}.{Item("routes", k)}";
            if (!Ipv4Cidr.TryParse(route.To, out var to))
            {
                errors.Add(new(
                    $"{routePath}.to",
                    Ipv4Cidr.TryParseHostWithPrefix(route.To, out _, out var enclosing)
                        ? $"router '{router.Name}': {route.To} has host bits set; did you mean {enclosing}?"
                        : $"router '{router.Name}': '{route.To}' is not a valid IPv4 CIDR (write it like 10.0.9.0/24)"));
            }
            else if (legs.FirstOrDefault(l => l.Cidr.Overlaps(to)) is { Network: not null } direct)
            {
                errors.Add(new($"{routePath}.to", $"router '{router.Name}': {to} overlaps {direct.Network} ({direct.Cidr}), a network it is on"));
            }
            else if (!destinations.TryAdd(to, k))
            {
                errors.Add(new($"{routePath}.to", $"router '{router.Name}': {to} already has a route ({Item("routes", destinations[to])})"));
            }

            var viaPath = $"{routePath}.via";
            if (!Ipv4Address.TryParse(route.Via, out var via))
            {
                errors.Add(new(viaPath, $"router '{router.Name}': '{route.Via}' is not a valid IPv4 address (write it like 10.0.2.254)"));
            }
            else if (legs.Any(l => l.Ip.Equals(via)))
            {
                errors.Add(new(viaPath, $"router '{router.Name}': next hop {via} is the router's own address"));
            }
            else if (!legs.Any(l => l.Cidr.Contains(via)))
            {
                var on = legs.Count == 0 ? "it is on no network" : "its networks: " + string.Join(", ", legs.Select(l => $"{l.Network} ({l.Cidr})"));
                errors.Add(new(viaPath, $"router '{router.Name}': next hop {via} is not on any of its networks; {on}"));
            }
        }
    }

    private static void ValidateGateways(RoomDefinition room, Dictionary<string, KnownNetwork> networks, List<ValidationError> errors)
    {
        for (var i = 0; i < room.Machines.Count; i++)
        {
            var machine = room.Machines[i];
            if (machine.Gateway is not { } text)
            {
                continue;
            }

            var path = $"{Item("machines", i)}.gateway";
            var on = machine.Nics
                .Select(n => (n.Network, n.Ip, Cidr: networks.GetValueOrDefault(n.Network)?.Cidr))
                .Where(n => n.Cidr is not null)
                .Select(n => (n.Network, n.Ip, Cidr: n.Cidr!.Value))
                .ToList();
            if (!Ipv4Address.TryParse(text, out var gateway))
            {
                errors.Add(new(path, $"'{text}' is not a valid IPv4 address (write it like 10.0.1.1)"));
            }
            else if (machine.Nics.Count == 0)
            {
                errors.Add(new(path, $"machine '{machine.Name}' has no NICs, so no gateway can be on its networks"));
            }
            else if (on.FirstOrDefault(n => n.Cidr.Contains(gateway)) is not { Network: not null } hit)
            {
                var networksText = string.Join(", ", on.Select(n => $"{n.Network} ({n.Cidr})"));
                errors.Add(new(path, $"gateway {gateway} is not on any of machine '{machine.Name}''s networks: {networksText}"));
            }
            else if (hit.Ip == gateway.ToString())
            {
                errors.Add(new(path, $"gateway {gateway} is machine '{machine.Name}''s own address"));
            }
            else if (RoomValidator.CheckAddressInNetwork(gateway, hit.Network, hit.Cidr) is { } problem)
            {
                errors.Add(new(path, problem.Replace("a machine cannot use it", "it cannot be a gateway", StringComparison.Ordinal)));
            }
        }
    }

    private static void ValidateServices(
        RoomDefinition room,
        Dictionary<string, KnownNetwork> networks,
        Dictionary<(string Network, uint Address), string> addresses,
        List<ValidationError> errors)
    {
        for (var i = 0; i < room.Networks.Count; i++)
        {
            var network = room.Networks[i];
            var path = Item("networks", i);
            var served = RoomRouting.ServingRouter(room, network.Name) is not null;
            if (network.Internet == "nat")
            {
                errors.Add(new(
                    $"{path}.internet",
                    $"network '{network.Name}': 'nat' needs an uplink configured by the operator, and none is configured here; use none (the default)"));
            }

            if (network.Dns == true && !served)
            {
                errors.Add(new($"{path}.dns", $"network '{network.Name}': DNS is answered by a router on the network, and no router joins '{network.Name}'; add one under routers"));
            }

            if (network.Dhcp is not { } dhcp)
            {
                continue;
            }

            var rangePath = $"{path}.dhcp.range";
            if (!served)
            {
                errors.Add(new(rangePath, $"network '{network.Name}': DHCP is served by a router on the network, and no router joins '{network.Name}'; add one under routers"));
            }
            else if (networks.GetValueOrDefault(network.Name) is { Cidr: { } cidr } known && known.Index == i
                && CheckRange(network.Name, dhcp.Range, cidr, addresses) is { } problem)
            {
                errors.Add(new(rangePath, $"network '{network.Name}': {problem}"));
            }
        }
    }

    private static string? CheckRange(
        string network, string range, Ipv4Cidr cidr, Dictionary<(string Network, uint Address), string> addresses)
    {
        var ends = range.Split('-');
        if (ends.Length != 2 || !Ipv4Address.TryParse(ends[0], out var first) || !Ipv4Address.TryParse(ends[1], out var last))
        {
            return $"'{range}' is not an address range (write it like 10.0.1.100-10.0.1.199)";
        }

        foreach (var end in new[] { first, last })
        {
            if (RoomValidator.CheckAddressInNetwork(end, network, cidr) is { } problem)
            {
                return problem.Replace("a machine cannot use it", "DHCP cannot lease it", StringComparison.Ordinal);
            }
        }

        var (low, high) = (Ipv4Address.ToUInt32(first), Ipv4Address.ToUInt32(last));
        if (low > high)
        {
            return $"the range {range} ends before it starts";
        }

        var taken = addresses
            .Where(a => a.Key.Network == network && a.Key.Address >= low && a.Key.Address <= high)
            .OrderBy(a => a.Key.Address)
            .FirstOrDefault();
        return taken.Value is { } owner
            ? $"the range {range} contains {Ipv4Address.FromUInt32(taken.Key.Address)}, the static address of {owner}"
            : null;
    }

    private static string Item(string list, int index) => RoomValidator.Item(list, index);
}
