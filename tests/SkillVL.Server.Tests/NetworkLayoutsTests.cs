using SkillVL.Core.Networking;
using SkillVL.Server.Reconciliation;

namespace SkillVL.Server.Tests;

/// <summary>Issue 12 (ADR 0019): client nodes join a room network through a relay hub, never VXLAN.</summary>
public sealed class NetworkLayoutsTests
{
    private const string Net = "0123456789ab";

    private static readonly Dictionary<string, NetworkNodeView> Nodes = new(StringComparer.Ordinal)
    {
        ["node1"] = new("node1", "server", "10.0.0.1", 7470, Reachable: true),
        ["node2"] = new("node2", "server", "10.0.0.2", 7470, Reachable: true),
        ["node3"] = new("node3", "edge", "10.0.0.3", 7471, Reachable: true),
        ["down"] = new("down", "server", "10.0.0.9", 7470, Reachable: false),
        ["aport"] = new("aport", "server", "10.0.0.8", null, Reachable: true),
        ["laptop1"] = new("laptop1", "client", "192.168.1.5", null, Reachable: true),
        ["laptop2"] = new("laptop2", "client", null, null, Reachable: true),
    };

    public static TheoryData<string[], string[], string?, string[]> Plans => new()
    {
        // machine nodes            → bridge nodes                       hub        clients
        { ["node1", "node2"], ["node1", "node2"], null, [] },
        { ["laptop1"], ["laptop1"], null, [] },
        { ["laptop1", "node2"], ["laptop1", "node2"], "node2", ["laptop1"] },
        { ["laptop1", "node1", "node2"], ["laptop1", "node1", "node2"], "node1", ["laptop1"] },

        // Two laptops and no server machine: the first reachable server node with a relay port becomes the hub.
        { ["laptop1", "laptop2"], ["laptop1", "laptop2", "node1"], "node1", ["laptop1", "laptop2"] },

        // A machine node that cannot be a hub (unreachable, no relay port) is passed over for one that can.
        { ["down", "laptop1"], ["down", "laptop1", "node1"], "node1", ["laptop1"] },
        { ["aport", "laptop1", "node3"], ["aport", "laptop1", "node3"], "node3", ["laptop1"] },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void Plan_PicksTheHub(string[] machineNodes, string[] bridgeNodes, string? hub, string[] clients)
    {
        var layout = NetworkLayouts.Plan(machineNodes, Nodes);

        Assert.Equal(bridgeNodes, layout.Nodes);
        Assert.Equal(hub, layout.Hub);
        Assert.Equal(clients, layout.Clients);
    }

    [Fact]
    public void Plan_NoNodeCanBeHub_ClientsStayLocal()
    {
        var only = new Dictionary<string, NetworkNodeView>(StringComparer.Ordinal)
        {
            ["down"] = Nodes["down"],
            ["laptop1"] = Nodes["laptop1"],
        };

        var layout = NetworkLayouts.Plan(["down", "laptop1"], only);

        Assert.Null(layout.Hub);
        Assert.Empty(layout.Clients);
        Assert.Equal(new NetworkSpec(Net, 1450), NetworkLayouts.SpecFor(Net, 1450, 77, 4789, layout, "laptop1", only));
    }

    [Fact]
    public void SpecFor_Client_GetsRelayToHubAndNoVxlan()
    {
        var layout = NetworkLayouts.Plan(["laptop1", "node1", "node2"], Nodes);

        var spec = NetworkLayouts.SpecFor(Net, 1450, 77, 4789, layout, "laptop1", Nodes);

        Assert.Equal(new NetworkRelay("10.0.0.1", 7470, "node1"), spec.Relay);
        Assert.Null(spec.Overlay);
        Assert.Null(spec.RelayHub);
        Assert.Equal(1450, spec.Mtu);
    }

    [Fact]
    public void SpecFor_Hub_ListsItsClientsAndPeersWithServersOnly()
    {
        var layout = NetworkLayouts.Plan(["laptop1", "laptop2", "node1", "node2"], Nodes);

        var hub = NetworkLayouts.SpecFor(Net, 1450, 77, 4789, layout, "node1", Nodes);
        var other = NetworkLayouts.SpecFor(Net, 1450, 77, 4789, layout, "node2", Nodes);

        Assert.Equal(("10.0.0.1", 7470), (hub.RelayHub!.ListenAddress, hub.RelayHub.Port));
        Assert.Equal(["laptop1", "laptop2"], hub.RelayHub.Clients);
        Assert.Equal(["10.0.0.2"], hub.Overlay!.Peers);
        Assert.Equal(["10.0.0.1"], other.Overlay!.Peers);
        Assert.Null(other.RelayHub);
        Assert.Null(other.Relay);
    }

    [Fact]
    public void SpecFor_HubAddedForTwoLaptops_IsAloneWithoutVxlan()
    {
        var layout = NetworkLayouts.Plan(["laptop1", "laptop2"], Nodes);

        var hub = NetworkLayouts.SpecFor(Net, 1450, 77, 4789, layout, "node1", Nodes);

        Assert.Null(hub.Overlay);
        Assert.Equal(["laptop1", "laptop2"], hub.RelayHub!.Clients);
        Assert.Equal(new NetworkRelay("10.0.0.1", 7470, "node1"), NetworkLayouts.SpecFor(Net, 1450, 77, 4789, layout, "laptop2", Nodes).Relay);
    }

    [Fact]
    public void SpecFor_NetworkOnOneClient_IsALocalBridge()
    {
        var layout = NetworkLayouts.Plan(["laptop1"], Nodes);

        Assert.Equal(new NetworkSpec(Net, 1450), NetworkLayouts.SpecFor(Net, 1450, 77, 4789, layout, "laptop1", Nodes));
    }

    [Fact]
    public void SpecFor_ServersOnly_IsVxlanAsBefore()
    {
        var layout = NetworkLayouts.Plan(["node1", "node2"], Nodes);

        var spec = NetworkLayouts.SpecFor(Net, 1450, 77, 4789, layout, "node2", Nodes);

        Assert.Equal((77, "10.0.0.2", 4789), (spec.Overlay!.Vni, spec.Overlay.LocalAddress, spec.Overlay.Port));
        Assert.Equal(["10.0.0.1"], spec.Overlay.Peers);
        Assert.Null(spec.Relay);
        Assert.Null(spec.RelayHub);
    }
}
