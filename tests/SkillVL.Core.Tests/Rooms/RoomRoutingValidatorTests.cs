using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

/// <summary>Issue 18: routers, gateways, DHCP, DNS and the internet policy (ADR 0039).</summary>
public sealed class RoomRoutingValidatorTests
{
    private const string TwoNetworks = "[{ name: lan, cidr: 10.0.1.0/24 }, { name: dmz, cidr: 10.0.2.0/24 }]";
    private const string R1 = "{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: dmz, ip: 10.0.2.1 }] }";
    private const string StaticA = "{ name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }] }";

    /// <summary>(networks, machines, routers, field, message): a routed room that breaks exactly one rule.</summary>
    public static TheoryData<string, string, string, string, string> BrokenRooms => new()
    {
        {
            TwoNetworks, "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.9.1 }] }]",
            "routers[0].interfaces[0].ip", "router 'r1': 10.0.9.1 is not inside lan (10.0.1.0/24)"
        },
        {
            TwoNetworks, "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.255 }] }]",
            "routers[0].interfaces[0].ip", "router 'r1': 10.0.1.255 is the broadcast address of 'lan' (10.0.1.0/24); a router cannot use it"
        },
        {
            TwoNetworks, "[]",
            "[{ name: r1, interfaces: [{ network: wan, ip: 10.0.3.1 }] }]",
            "routers[0].interfaces[0].network", "router 'r1': unknown network 'wan'; known: lan, dmz"
        },
        {
            TwoNetworks, "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: lan, ip: 10.0.1.2 }] }]",
            "routers[0].interfaces[1].network", "router 'r1' already has an interface on 'lan' (interfaces[0])"
        },
        {
            TwoNetworks, $"[{StaticA}]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.10 }] }]",
            "routers[0].interfaces[0].ip", "router 'r1': 10.0.1.10 is already used by machines[0].nics[0]"
        },
        {
            TwoNetworks, $"[{StaticA}]",
            "[{ name: a, interfaces: [{ network: lan, ip: 10.0.1.1 }] }]",
            "routers[0].name", "'a' is already the name of machines[0]"
        },
        {
            TwoNetworks, "[]",
            $"[{R1}, {{ name: r1, interfaces: [{{ network: lan, ip: 10.0.1.2 }}] }}]",
            "routers[1].name", "'r1' is already the name of routers[0]"
        },
        {
            TwoNetworks, "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }], routes: [{ to: 10.0.9.0/24, via: 10.0.5.1 }] }]",
            "routers[0].routes[0].via", "router 'r1': next hop 10.0.5.1 is not on any of its networks; its networks: lan (10.0.1.0/24)"
        },
        {
            TwoNetworks, "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }], routes: [{ to: 10.0.9.0/24, via: 10.0.1.1 }] }]",
            "routers[0].routes[0].via", "router 'r1': next hop 10.0.1.1 is the router's own address"
        },
        {
            TwoNetworks, "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }], routes: [{ to: 10.0.9.5/24, via: 10.0.1.254 }] }]",
            "routers[0].routes[0].to", "router 'r1': 10.0.9.5/24 has host bits set; did you mean 10.0.9.0/24?"
        },
        {
            TwoNetworks, "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }], routes: [{ to: 10.0.0.0/16, via: 10.0.1.254 }] }]",
            "routers[0].routes[0].to", "router 'r1': 10.0.0.0/16 overlaps lan (10.0.1.0/24), a network it is on"
        },
        {
            TwoNetworks,
            "[{ name: a, template: tiny, gateway: 10.0.2.1, nics: [{ network: lan, ip: 10.0.1.10 }] }]",
            $"[{R1}]",
            "machines[0].gateway", "gateway 10.0.2.1 is not on any of machine 'a''s networks: lan (10.0.1.0/24)"
        },
        {
            TwoNetworks,
            "[{ name: a, template: tiny, gateway: 10.0.1.10, nics: [{ network: lan, ip: 10.0.1.10 }] }]",
            "[]",
            "machines[0].gateway", "gateway 10.0.1.10 is machine 'a''s own address"
        },
        {
            TwoNetworks, "[{ name: a, template: tiny, gateway: 10.0.1.1 }]", "[]",
            "machines[0].gateway", "machine 'a' has no NICs, so no gateway can be on its networks"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.5-10.0.1.50 } }]", $"[{StaticA}]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }] }]",
            "networks[0].dhcp.range", "network 'lan': the range 10.0.1.5-10.0.1.50 contains 10.0.1.10, the static address of machines[0].nics[0]"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.1-10.0.1.50 } }]", "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }] }]",
            "networks[0].dhcp.range", "network 'lan': the range 10.0.1.1-10.0.1.50 contains 10.0.1.1, the static address of routers[0].interfaces[0]"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.2.20 } }]", "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }] }]",
            "networks[0].dhcp.range", "network 'lan': 10.0.2.20 is outside network 'lan' (10.0.1.0/24)"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.200-10.0.1.100 } }]", "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }] }]",
            "networks[0].dhcp.range", "network 'lan': the range 10.0.1.200-10.0.1.100 ends before it starts"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.300-10.0.1.100 } }]", "[]",
            "[{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }] }]",
            "networks[0].dhcp.range", "network 'lan': '10.0.1.300-10.0.1.100' is not an address range (write it like 10.0.1.100-10.0.1.199)"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.199 } }]", "[]", "[]",
            "networks[0].dhcp.range", "network 'lan': DHCP is served by a router on the network, and no router joins 'lan'; add one under routers"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24, dns: true }]", "[]", "[]",
            "networks[0].dns", "network 'lan': DNS is answered by a router on the network, and no router joins 'lan'; add one under routers"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24, internet: nat }]", "[]", "[]",
            "networks[0].internet", "network 'lan': 'nat' needs an uplink configured by the operator, and none is configured here; use none (the default)"
        },
    };

    [Theory]
    [MemberData(nameof(BrokenRooms))]
    public void Validate_BrokenRoutingRule_NamesTheField(string networks, string machines, string routers, string field, string message)
    {
        var room = ParseValid(Room($"metadata: {{ name: a }}\nnetworks: {networks}\nmachines: {machines}\nrouters: {routers}\n"));

        Assert.Equal([new ValidationError(field, message)], RoomValidator.Validate(room, Context));
    }

    [Fact]
    public void Validate_RoutedLabWithDhcpAndDns_HasNoErrors()
    {
        var room = ParseValid(Room($$"""
            metadata: { name: routed }
            networks:
              - { name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.199 }, dns: true, internet: none }
              - { name: dmz, cidr: 10.0.2.0/24, dns: true }
            machines:
              - {{StaticA}}
              - { name: b, template: tiny, nics: [{ network: dmz, ip: 10.0.2.10 }], gateway: 10.0.2.1 }
              - { name: c, template: tiny, nics: [{ network: lan }] }
            routers:
              - { name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: dmz, ip: 10.0.2.1 }], routes: [{ to: 10.0.9.0/24, via: 10.0.2.254 }] }
            """));

        Assert.Empty(RoomValidator.Validate(room, Context));
    }

    [Fact]
    public void Validate_RouterWithUnknownField_IsASchemaError()
    {
        var parsed = RoomDocument.Parse(Room("metadata: { name: a }\nrouters: [{ name: r1, interfaces: [], nat: true }]\n"));

        Assert.Null(parsed.Definition);
        Assert.Contains(parsed.Errors, e => e.Field.StartsWith("routers[0]", StringComparison.Ordinal));
    }
}
