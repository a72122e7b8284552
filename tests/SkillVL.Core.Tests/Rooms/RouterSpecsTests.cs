using SkillVL.Core.Networking;
using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

public sealed class RouterSpecsTests
{
    private static readonly RoomDefinition Room2 = ParseValid(Room("""
        metadata: { name: routed }
        networks:
          - { name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.199 }, dns: true, mtu: 1400 }
          - { name: dmz, cidr: 10.0.2.0/24 }
        machines:
          - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }] }
          - { name: b, template: tiny, nics: [{ network: dmz, ip: 10.0.2.10 }] }
          - { name: c, template: tiny, nics: [{ network: lan }] }
        routers:
          - { name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: dmz, ip: 10.0.2.1 }], routes: [{ to: 10.0.9.0/24, via: 10.0.2.254 }] }
          - { name: r2, interfaces: [{ network: lan, ip: 10.0.1.2 }] }
        """));

    private static readonly Dictionary<string, (string Id, int Mtu)> Networks = new(StringComparer.Ordinal)
    {
        ["lan"] = ("aaaaaaaaaaaa", 1400),
        ["dmz"] = ("bbbbbbbbbbbb", 1450),
    };

    [Fact]
    public void For_ServingRouter_GetsDhcpDnsRoutesAndTheRoomsNames()
    {
        var spec = RouterSpecs.For(Room2, Room2.Routers![0], "cccccccccccc", Networks);

        Assert.Equal(
            [
                new RouterLegSpec("aaaaaaaaaaaa", "10.0.1.1/24", 1400, "10.0.1.100", "10.0.1.199", Dns: true),
                new RouterLegSpec("bbbbbbbbbbbb", "10.0.2.1/24", 1450, null, null, Dns: false),
            ],
            spec.Legs);
        Assert.Equal([new RouterRouteSpec("10.0.9.0/24", "10.0.2.254")], spec.Routes);
        Assert.Equal(
            ["a 10.0.1.10", "b 10.0.2.10", "r1 10.0.1.1", "r1 10.0.2.1", "r2 10.0.1.2"],
            spec.Hosts.Select(h => $"{h.Name} {h.Address}"));
    }

    /// <summary>Two DHCP servers on one network would hand out conflicting leases: only the serving router leases.</summary>
    [Fact]
    public void For_SecondRouterOnANetwork_ServesNothingThere()
    {
        var spec = RouterSpecs.For(Room2, Room2.Routers![1], "dddddddddddd", Networks);

        Assert.Equal([new RouterLegSpec("aaaaaaaaaaaa", "10.0.1.2/24", 1400, null, null, Dns: false)], spec.Legs);
        Assert.Empty(spec.Hosts);
    }

    [Fact]
    public void NodeFor_MostMachinesOnItsNetworks_TiesByName()
    {
        var router = Room2.Routers![0];

        Assert.Equal("node2", RouterNodes.NodeFor(Room2, router, new Dictionary<string, string> { ["a"] = "node1", ["b"] = "node2", ["c"] = "node2" }));
        Assert.Equal("node1", RouterNodes.NodeFor(Room2, router, new Dictionary<string, string> { ["a"] = "node2", ["b"] = "node1" }));
        Assert.Null(RouterNodes.NodeFor(Room2, router, new Dictionary<string, string>()));
    }
}
