using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

public sealed class RoomRoutingTests
{
    private static readonly RoomDefinition Routed = ParseValid(Room("""
        metadata: { name: routed }
        networks:
          - { name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.199 }, dns: true }
          - { name: dmz, cidr: 10.0.2.0/24 }
          - { name: iso, cidr: 10.0.3.0/24 }
        machines:
          - { name: a, template: tiny, nics: [{ network: iso, ip: 10.0.3.10 }, { network: lan, ip: 10.0.1.10 }] }
          - { name: b, template: tiny, nics: [{ network: dmz, ip: 10.0.2.10 }], gateway: 10.0.2.254 }
          - { name: c, template: tiny, nics: [{ network: iso, ip: 10.0.3.11 }] }
        routers:
          - { name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: dmz, ip: 10.0.2.1 }] }
          - { name: r2, interfaces: [{ network: dmz, ip: 10.0.2.2 }] }
        """));

    [Fact]
    public void DefaultGateway_NoneGiven_IsTheRouterOnTheFirstRoutedNic()
    {
        Assert.Equal("10.0.1.1", RoomRouting.DefaultGateway(Routed, Routed.Machines[0]));
    }

    [Fact]
    public void DefaultGateway_Explicit_WinsOverTheRouter()
    {
        Assert.Equal("10.0.2.254", RoomRouting.DefaultGateway(Routed, Routed.Machines[1]));
    }

    [Fact]
    public void DefaultGateway_NoRouterOnAnyNetwork_IsNone()
    {
        Assert.Null(RoomRouting.DefaultGateway(Routed, Routed.Machines[2]));
    }

    [Fact]
    public void DefaultGatewayAndNameServer_DhcpNicFirst_SkipItForTheStaticOne()
    {
        var room = ParseValid(Room("""
            metadata: { name: dhcp-first }
            networks:
              - { name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.199 }, dns: true }
              - { name: dmz, cidr: 10.0.2.0/24, dns: true }
            machines:
              - { name: d, template: tiny, nics: [{ network: lan }, { network: dmz, ip: 10.0.2.10 }] }
              - { name: e, template: tiny, nics: [{ network: lan }] }
            routers:
              - { name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: dmz, ip: 10.0.2.1 }] }
            """));

        // A route or resolver through a NIC that has no address yet would fail in the guest (or wait for the lease).
        Assert.Equal("10.0.2.1", RoomRouting.DefaultGateway(room, room.Machines[0]));
        Assert.Equal("10.0.2.1", RoomRouting.NameServer(room, room.Machines[0]));
        Assert.Null(RoomRouting.DefaultGateway(room, room.Machines[1]));
        Assert.Null(RoomRouting.NameServer(room, room.Machines[1]));
    }

    [Fact]
    public void ServingRouter_TwoRoutersOnANetwork_IsTheFirstInTheDocument()
    {
        Assert.Equal(("r1", "10.0.2.1"), RoomRouting.ServingRouter(Routed, "dmz") is { } s ? (s.Router.Name, s.Ip) : default);
    }

    [Fact]
    public void NameServer_IsTheServingRouterOfTheFirstNetworkWithDns()
    {
        Assert.Equal("10.0.1.1", RoomRouting.NameServer(Routed, Routed.Machines[0]));
        Assert.Null(RoomRouting.NameServer(Routed, Routed.Machines[1]));
    }

    [Fact]
    public void RoundTrip_RoutersDhcpDnsGateway_ComeBackUnchanged()
    {
        var yaml = RoomDocument.ToYaml(Routed);

        var again = ParseValid(yaml);
        Assert.Equal(yaml, RoomDocument.ToYaml(again));
        Assert.Equal("10.0.1.100-10.0.1.199", again.Networks[0].Dhcp!.Range);
        Assert.True(again.Networks[0].Dns);
        Assert.Equal("10.0.2.254", again.Machines[1].Gateway);
        Assert.Equal(Routed.Routers!.Select(r => r.Name), again.Routers!.Select(r => r.Name));
        Assert.Equal(Routed.Routers![0].Interfaces, again.Routers![0].Interfaces);
    }

    [Fact]
    public void ToYaml_RoomWithoutRouters_WritesNoRoutersKey()
    {
        var yaml = RoomDocument.ToYaml(ParseValid(Room("metadata: { name: flat }\n")));

        Assert.DoesNotContain("routers", yaml, StringComparison.Ordinal);
    }
}
