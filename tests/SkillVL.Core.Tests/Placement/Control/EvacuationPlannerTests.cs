using SkillVL.Core.Migration;
using SkillVL.Core.Placement;
using SkillVL.Core.Placement.Control;
using Xunit;

namespace SkillVL.Core.Tests.Placement.Control;

/// <summary>Evacuating node1 (ADR 0030): node2 busy with 3 GiB free, node3 idle with 2 GiB, node4 drained, bob's laptop.</summary>
public sealed class EvacuationPlannerTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void Plan_LeastBusyNodeWithRoom_PinsAndCheckoutsNamed_NoRoomNamed()
    {
        var nodes = new[]
        {
            new PlacementNode("node1", "server", true, true, null, 0.9, 0),
            new PlacementNode("node2", "server", true, false, null, 0.6, 3 * GiB),
            new PlacementNode("node3", "server", true, false, null, 0.1, 2 * GiB),
            new PlacementNode("node4", "server", true, true, null, 0.0, 64 * GiB),
            new PlacementNode("laptop-bob", "client", true, false, "bob", 0.0, 64 * GiB),
        };
        var machines = new[]
        {
            Machine("a", 2 * GiB), // largest first: node3 (idle, has room)
            Machine("b", 2 * GiB), // node3 is full now: node2
            Machine("c", 2 * GiB), // node2 has 1 GiB left, node3 none: refused
            Machine("pinned", 1 * GiB) with { PinnedNode = "node1" },
            Machine("out", 1 * GiB) with { OnlyTo = "node4" }, // its disk is on node4, which is drained
        };

        var plan = EvacuationPlanner.Plan("node1", machines, nodes).ToDictionary(m => m.Machine.MachineId);

        Assert.Equal("node3", plan["a"].To);
        Assert.Equal("node2", plan["b"].To);
        Assert.Equal("no node has 2048 MiB free (most: 1024 MiB on node2)", plan["c"].Refused);
        Assert.Equal("the room pins it to node1 (node: wins over the evacuation)", plan["pinned"].Refused);
        Assert.Contains("can only go back to node4", plan["out"].Refused, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Values, m => m.To is "laptop-bob" or "node4" or "node1");
    }

    [Fact]
    public void Plan_NoOtherNode_NamesEveryMachine()
    {
        var plan = EvacuationPlanner.Plan("local", [Machine("a", GiB)], [new PlacementNode("local", "server", true, true, null, null, 8 * GiB)]);

        Assert.Equal("no other connected, undrained server or edge node", Assert.Single(plan).Refused);
    }

    private static PlacementCandidate Machine(string id, long memory) =>
        new("lab/" + id, id, "id-bob", "node1", new VmMigrationProfile { MemoryBytes = memory, TargetHasBase = true });
}
