using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Tests;

public sealed class PlacementTests
{
    private const long Gi = 1L << 30;
    private const long Mi = 1L << 20;

    private static NodeCapacity Node(string name, long memory, long allocated = 0, int machines = 0, bool reachable = true, bool drained = false) =>
        new(name, 4, memory, allocated, machines, reachable, drained);

    private static MachineRequest New(int index, long memory = 128 * Mi, string? node = null) => new(index, $"m{index}", 1, memory, node, null);

    [Fact]
    public void Spread_PutsEachMachineOnTheNodeWithTheMostFreeMemory()
    {
        var (placed, errors) = Placement.Plan([New(0), New(1), New(2)], [Node("a", 2 * Gi), Node("b", 2 * Gi), Node("c", 2 * Gi)], Placement.Spread);

        Assert.Empty(errors);
        Assert.Equal(["a", "b", "c"], placed.Values.Order());
    }

    [Fact]
    public void Pack_FillsTheFullestNodeThatFits()
    {
        var (placed, errors) = Placement.Plan(
            [New(0), New(1)], [Node("a", 2 * Gi), Node("b", 2 * Gi, allocated: Gi, machines: 4)], Placement.Pack);

        Assert.Empty(errors);
        Assert.All(placed.Values, n => Assert.Equal("b", n));
    }

    [Fact]
    public void UnreachableAndDrainedNodes_TakeNothingNew()
    {
        var (placed, errors) = Placement.Plan(
            [New(0)], [Node("a", 8 * Gi, reachable: false), Node("b", 8 * Gi, drained: true), Node("c", Gi)], Placement.Spread);

        Assert.Empty(errors);
        Assert.Equal("c", placed["m0"]);
    }

    [Theory]
    [InlineData("nowhere", "not a known node (known: a, b)")]
    [InlineData("b", "node 'b' is drained")]
    [InlineData("a", "node 'a' is full: it has less memory free than machine 'm0' needs (128 MiB)")]
    public void ExplicitNode_UnknownDrainedOrFull_IsAnErrorOnItsField(string node, string message)
    {
        var (placed, errors) = Placement.Plan(
            [New(0, node: node)], [Node("a", 1124 * Mi, allocated: Gi), Node("b", 8 * Gi, drained: true)], Placement.Spread);

        Assert.Empty(placed);
        var error = Assert.Single(errors);
        Assert.Equal("machines[0].node", error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExistingMachines_StayWhereTheyAre_MovingThemIsRefused()
    {
        var nodes = new[] { Node("a", 8 * Gi), Node("b", 8 * Gi) };

        var (kept, _) = Placement.Plan([new MachineRequest(0, "m0", 1, Gi, null, "b")], nodes, Placement.Spread);
        var (_, moved) = Placement.Plan([new MachineRequest(0, "m0", 1, Gi, "a", "b")], nodes, Placement.Spread);

        Assert.Equal("b", kept["m0"]);
        Assert.Contains("migration", Assert.Single(moved).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoRoomAnywhere_SaysSo()
    {
        var (_, errors) = Placement.Plan([New(0, memory: 4 * Gi)], [Node("a", 2 * Gi)], Placement.Spread);

        Assert.Equal("machines[0]", Assert.Single(errors).Field);
    }

    [Fact]
    public void NodeLabels_OnlyNodesCarryingAllOfThem()
    {
        var site = new Dictionary<string, string> { ["site"] = "lab2" };
        var nodes = new[]
        {
            Node("a", 8 * Gi) with { Labels = new Dictionary<string, string> { ["site"] = "lab1" } },
            Node("b", 2 * Gi) with { Labels = new Dictionary<string, string> { ["site"] = "lab2", ["gpu"] = "no" } },
        };

        var (placed, errors) = Placement.Plan([new MachineRequest(0, "m0", 1, Gi, null, null, site)], nodes, Placement.Spread);
        var (_, explicitWrong) = Placement.Plan([new MachineRequest(0, "m0", 1, Gi, "a", null, site)], nodes, Placement.Spread);
        var (_, none) = Placement.Plan([new MachineRequest(0, "m0", 1, Gi, null, null, new Dictionary<string, string> { ["site"] = "moon" })], nodes, Placement.Spread);

        Assert.Empty(errors);
        Assert.Equal("b", placed["m0"]);
        Assert.Contains("lacks the labels", Assert.Single(explicitWrong).Message, StringComparison.Ordinal);
        Assert.Contains("site=moon", Assert.Single(none).Message, StringComparison.Ordinal);
    }
}
