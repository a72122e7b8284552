using SkillVL.Server.Data;
using SkillVL.Server.Reconciliation;

namespace SkillVL.Server.Tests;

/// <summary>Issue 11 finding 5: a network is a bridge only on the nodes where a machine uses it.</summary>
public sealed class NetworkPlacementTests
{
    private static RoomEntity Room(int networks, params (string Id, string Node, string[] Networks)[] machines)
    {
        var room = new RoomEntity { Id = "r", Name = "r", OwnerId = "u", DefinitionJson = "{}", CreatedAt = DateTimeOffset.UnixEpoch };
        for (var i = 0; i < networks; i++)
        {
            room.Networks.Add(new NetworkEntity { Id = $"n{i}", RoomId = "r", Name = $"n{i}", Cidr = $"10.{i}.0.0/24", Vni = 10000 + i });
        }

        foreach (var (id, node, nets) in machines)
        {
            var machine = new MachineEntity { Id = id, RoomId = "r", Name = id, TemplateName = "tiny", TemplateSha256 = "x", NodeName = node, DesiredState = MachineStates.Running };
            foreach (var (net, index) in nets.Select((n, i) => (n, i)))
            {
                machine.Nics.Add(new NicEntity { Id = $"{id}{index}", MachineId = id, NetworkId = net, Index = index, MacAddress = "52:54:00:00:00:00" });
            }

            room.Machines.Add(machine);
        }

        return room;
    }

    private static readonly Dictionary<string, string> NoMigrations = [];

    [Fact]
    public void Issue11_FiftyNetworksOneMachineOnOne_IsOneBridge()
    {
        var nodes = NetworkPlacement.NodesOf(Room(50, ("m", "a", ["n7"])), NoMigrations);

        Assert.Equal(["n7"], nodes.Keys);
        Assert.Equal(["a"], nodes["n7"]);
    }

    [Fact]
    public void NetworksWithoutMachines_AreNowhere()
    {
        Assert.Empty(NetworkPlacement.NodesOf(Room(3), NoMigrations));
    }

    [Fact]
    public void EachNetwork_IsOnTheNodesOfItsMachines_AndOnMigrationTargets()
    {
        var room = Room(3, ("gw", "a", ["n0", "n1"]), ("db", "b", ["n1"]), ("web", "b", ["n2"]));

        var nodes = NetworkPlacement.NodesOf(room, new Dictionary<string, string> { ["gw"] = "c" });

        Assert.Equal(["a", "c"], nodes["n0"]);
        Assert.Equal(["a", "b", "c"], nodes["n1"]);
        Assert.Equal(["b"], nodes["n2"]); // not on a or c: nothing there uses it, so no tunnel either
    }
}
