using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Tests;

/// <summary>Issue 11 finding 3: growing a kept machine and starting a stopped one are checked against the node's memory.</summary>
public sealed class CapacityChecksTests
{
    private const long Gi = 1L << 30;
    private const long Mi = 1L << 20;

    private static NodeCapacity Node(string name, long memory, long allocated = 0) => new(name, 4, memory, allocated, 0, true, false);

    private static MachineRequest Kept(int index, long memory, long current, string node = "a") =>
        new(index, $"m{index}", 1, memory, null, node, CurrentMemoryBytes: current);

    [Fact]
    public void Issue11_ResizeBeyondTheNode_IsAnErrorOnItsMemory()
    {
        // The issue's numbers: a 23.5 GiB node, the machine grown from 128 MiB to 23 GiB next to 1 GiB of others.
        var (_, errors) = Placement.Plan([Kept(0, 23 * Gi, 128 * Mi)], [Node("a", 23 * Gi + 512 * Mi, allocated: Gi)], Placement.Spread);

        var error = Assert.Single(errors);
        Assert.Equal("machines[0].memory", error.Field);
        Assert.Equal(
            "machine 'm0' cannot grow from 128 MiB to 23552 MiB on node 'a': the node has 22912 MiB of memory free, the change needs 23424 MiB more. Keep the size, or move the machine first.",
            error.Message);
    }

    [Theory]
    [InlineData(2048, 128)] // grows into free memory
    [InlineData(128, 128)] // unchanged
    [InlineData(64, 128)] // shrinks
    public void ResizeThatFits_OrDoesNotGrow_IsAccepted(long memoryMi, long currentMi)
    {
        var (placed, errors) = Placement.Plan([Kept(0, memoryMi * Mi, currentMi * Mi)], [Node("a", 4 * Gi, allocated: Gi)], Placement.Spread);

        Assert.Empty(errors);
        Assert.Equal("a", placed["m0"]);
    }

    [Fact]
    public void NodeAlreadyOver_KeepingOrShrinkingIsAccepted_GrowingIsNot()
    {
        // An older version overcommitted the node: 5 GiB placed on 4 GiB.
        var nodes = new[] { Node("a", 4 * Gi, allocated: 4 * Gi) };

        Assert.Empty(Placement.Plan([Kept(0, Gi, Gi), Kept(1, 512 * Mi, Gi)], nodes, Placement.Spread).Errors);
        Assert.Equal(["machines[1].memory"], Placement.Plan([Kept(0, Gi, Gi), Kept(1, 2 * Gi, Gi)], nodes, Placement.Spread).Errors.Select(e => e.Field));
    }

    [Fact]
    public void TwoMachinesGrowingTogether_AreCheckedTogether()
    {
        var (_, errors) = Placement.Plan([Kept(0, 2 * Gi, Gi), Kept(1, 2 * Gi, Gi)], [Node("a", 4 * Gi, allocated: Gi)], Placement.Spread);

        Assert.Equal(["machines[0].memory", "machines[1].memory"], errors.Select(e => e.Field));
    }

    [Fact]
    public void NewMachineNextToAGrowingOne_CannotTakeTheSameMemory()
    {
        var (_, errors) = Placement.Plan(
            [Kept(0, 3 * Gi, Gi), new MachineRequest(1, "new", 1, 2 * Gi, null, null)], [Node("a", 4 * Gi)], Placement.Spread);

        Assert.Equal(["machines[1]"], errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData(3072, 1024, null)]
    [InlineData(3072, 1025, "Starting 'm0' (1025 MiB) on node 'a' needs 1025 MiB of memory; the node has 1024 MiB free (3072 MiB of 4096 MiB taken by running machines). Stop another machine first.")]
    [InlineData(5120, 128, "Starting 'm0' (128 MiB) on node 'a' needs 128 MiB of memory; the node has 0 MiB free (5120 MiB of 4096 MiB taken by running machines). Stop another machine first.")]
    public void Issue11_StartThatDoesNotFit_SaysWhy(long runningMi, long startingMi, string? problem)
    {
        var starting = new[] { new MachineRequest(0, "m0", 1, startingMi * Mi, null, "a") };

        Assert.Equal(problem, Placement.CheckStart(starting, [Node("a", 4 * Gi, allocated: runningMi * Mi)]));
    }

    [Fact]
    public void StartOfSeveral_SumsThemPerNode()
    {
        var starting = new[] { new MachineRequest(0, "x", 1, 2 * Gi, null, "a"), new MachineRequest(1, "y", 1, 2 * Gi, null, "a"), new MachineRequest(2, "z", 1, 3 * Gi, null, "b") };
        var nodes = new[] { Node("a", 4 * Gi, allocated: Gi), Node("b", 4 * Gi) };

        Assert.StartsWith("Starting 'x' (2048 MiB), 'y' (2048 MiB) on node 'a' needs 4096 MiB", Placement.CheckStart(starting, nodes), StringComparison.Ordinal);
        Assert.Null(Placement.CheckStart(starting[2..], nodes));
    }
}
