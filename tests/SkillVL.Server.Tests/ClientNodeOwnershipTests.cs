using SkillVL.Server.Nodes;
using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Tests;

/// <summary>Issue 12: a client node takes only its owner's machines — whoever asks — and course instances only where allowed.</summary>
public sealed class ClientNodeOwnershipTests
{
    private static readonly NodeOwner Bob = new("id-bob", "bob");

    [Theory]
    // caller admin?, room owner (null: a course's published room), course (null: own room), course allows, node owner -> expected
    [InlineData(false, "id-bob", null, false, "bob", null)]
    [InlineData(true, "id-bob", null, false, "bob", null)] // an admin acting on bob's room
    [InlineData(false, "id-carol", null, false, "bob", "403:another user's client node")]
    [InlineData(true, "id-admin", null, false, "bob", "403:belongs to bob")] // an admin's own room is not put on a student's laptop
    [InlineData(false, "id-bob", "net101", false, "bob", "403:does not allow client nodes")]
    [InlineData(true, "id-bob", "net101", false, "bob", "403:does not allow client nodes")]
    [InlineData(false, "id-bob", "net101", true, "bob", null)]
    [InlineData(false, "id-carol", "net101", true, "bob", "403:another user's client node")]
    [InlineData(false, null, "net101", true, "bob", "403:cannot pin machines there")]
    [InlineData(true, null, "net101", true, "bob", "403:cannot pin machines there")]
    [InlineData(false, "id-bob", null, false, null, "403:without an owner")]
    [InlineData(true, "id-bob", null, false, null, null)]
    public void Check_ClientNode_ByRoomOwnerCourseAndCaller(bool admin, string? roomOwner, string? course, bool allows, string? nodeOwner, string? expected)
    {
        var node = new NodeCapacity("laptop-bob", 2, 1L << 30, 0, 0, true, false, Kind: "client", Owner: nodeOwner is null ? null : Bob);

        var refused = NodePinning.Check(admin, new PinTarget(roomOwner, course, allows), "to", "laptop-bob", node);

        Assert.Equal(expected, refused is null ? null : $"{(refused.Forbidden ? 403 : 400)}:{Part(refused.Error.Message)}");
        Assert.True(refused is null || refused.Error.Field == "to");
    }

    [Fact]
    public void Check_OwnClientNode_StillNeedsItReady_ForANonAdmin()
    {
        var node = new NodeCapacity("laptop-bob", 2, 1L << 30, 0, 0, Reachable: false, Drained: false, Kind: "client", Owner: Bob);

        var refused = NodePinning.Check(admin: false, new PinTarget("id-bob"), "machines[0].node", "laptop-bob", node);

        Assert.Equal((false, "machines[0].node"), (refused!.Forbidden, refused.Error.Field));
        Assert.Contains("is not ready", refused.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ServerNode_IgnoresOwnership()
    {
        var node = new NodeCapacity("node1", 2, 1L << 30, 0, 0, true, false, Kind: "server");

        Assert.Null(NodePinning.Check(admin: false, new PinTarget("id-carol", "net101", CourseAllowsClientNodes: false), "to", "node1", node));
        Assert.Null(NodePinning.Check(admin: false, PinTarget.CourseDefinition("net101"), "to", "node1", node));
    }

    [Fact]
    public void Placement_WithoutPin_NeverChoosesAClientNode_EvenItsOwners()
    {
        var nodes = new[]
        {
            new NodeCapacity("laptop-bob", 8, 64L << 30, 0, 0, true, false, Kind: "client", Owner: Bob),
            new NodeCapacity("node1", 1, 1L << 30, 0, 0, true, false),
        };

        var (placed, errors) = Placement.Plan([new MachineRequest(0, "a", 1, 256L << 20, null, null)], nodes, Placement.Spread);

        Assert.Empty(errors);
        Assert.Equal("node1", placed["a"]);
    }

    [Fact]
    public void Placement_UnknownPin_DoesNotNameClientNodes()
    {
        var nodes = new[]
        {
            new NodeCapacity("laptop-bob", 8, 64L << 30, 0, 0, true, false, Kind: "client", Owner: Bob),
            new NodeCapacity("node1", 1, 1L << 30, 0, 0, true, false),
        };

        var (_, errors) = Placement.Plan([new MachineRequest(0, "a", 1, 256L << 20, "nowhere", null)], nodes, Placement.Spread);

        var error = Assert.Single(errors);
        Assert.Contains("(known: node1)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("laptop-bob", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_ClientNodesAndJoinTokens_DefaultAndValidated()
    {
        var defaults = new Rooms.LimitOptions();
        Assert.Equal((3, 5), (defaults.ClientNodesPerUser, defaults.JoinTokensPerUser));
        Assert.Equal("ClientNodesPerUser, JoinTokensPerUser", new Rooms.LimitOptions { ClientNodesPerUser = 0, JoinTokensPerUser = 0 }.Invalid());
    }

    private static string Part(string message) =>
        new[] { "another user's client node", "belongs to bob", "does not allow client nodes", "cannot pin machines there", "without an owner" }
            .First(p => message.Contains(p, StringComparison.Ordinal));
}
