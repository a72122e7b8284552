using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Tests;

/// <summary>Issue 11, finding 9: who may pin a machine to which node, and how a refusal is answered.</summary>
public sealed class NodePinningTests
{
    [Theory]
    [InlineData(false, "server", true, false, null)]
    [InlineData(false, "edge", true, false, null)]
    [InlineData(false, "client", true, false, "403:without an owner")]
    [InlineData(false, "client", false, true, "403:without an owner")]
    [InlineData(false, "server", false, false, "400:is not ready")]
    [InlineData(false, "server", true, true, "400:is drained")]
    [InlineData(true, "client", true, false, null)]
    [InlineData(true, "client", false, true, null)]
    [InlineData(true, "server", false, true, null)]
    public void Check_ByRoleKindAndState(bool admin, string kind, bool reachable, bool drained, string? expected)
    {
        var node = new NodeCapacity("n1", 2, 1L << 30, 0, 0, reachable, drained, Kind: kind);

        var refused = NodePinning.Check(admin, new PinTarget("u1"), "machines[2].node", "n1", node);

        Assert.Equal(expected, refused is null ? null : $"{(refused.Forbidden ? 403 : 400)}:{Part(refused.Error.Message)}");
        Assert.True(refused is null || refused.Error.Field == "machines[2].node");
    }

    [Fact]
    public void Check_Definition_SkipsMachinesAlreadyWhereTheyPin_NamesTheIndex()
    {
        var client = new NodeCapacity("laptop", 2, 1L << 30, 0, 0, true, false, Kind: "client");
        var room = new PinTarget("u1");
        var definition = new Core.Rooms.RoomDefinition
        {
            Machines =
            [
                new() { Name = "kept", Template = "tiny", Node = "laptop" },
                new() { Name = "free", Template = "tiny" },
                new() { Name = "new", Template = "tiny", Node = "laptop" },
            ],
        };

        var refused = NodePinning.Check(admin: false, room, definition, new Dictionary<string, string> { ["kept"] = "laptop" }, name => name == "laptop" ? client : null);

        Assert.Equal(("machines[2].node", true), (refused?.Error.Field, refused?.Forbidden ?? false));
        Assert.Null(NodePinning.Check(admin: false, room, definition, new Dictionary<string, string>(), _ => null)); // unknown: the placement says so
    }

    private static string Part(string message) =>
        new[] { "without an owner", "is not ready", "is drained" }.First(p => message.Contains(p, StringComparison.Ordinal));
}
