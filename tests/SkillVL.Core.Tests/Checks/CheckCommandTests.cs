using SkillVL.Core.Checks;
using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Checks;

public sealed class CheckCommandTests
{
    private static readonly RoomDefinition Lab = ParseValid(Room("""
        metadata: { name: lab }
        networks: [{ name: lan, cidr: 10.0.1.0/24 }, { name: dmz, cidr: 10.0.2.0/24 }]
        machines:
          - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }] }
          - { name: b, template: tiny, nics: [{ network: dmz, ip: 10.0.2.11 }, { network: lan, ip: 10.0.1.11 }] }
          - { name: c, template: tiny, nics: [{ network: dmz, ip: 10.0.2.12 }] }
        """));

    [Fact]
    public void Argv_RunCheck_IsTheLineUnderShC()
    {
        var check = new CheckDefinition { Name = "done", Machine = "a", Run = "test -f /root/done" };

        Assert.Equal(["/bin/sh", "-c", "test -f /root/done"], CheckCommand.Argv(Lab, check));
    }

    [Theory]
    [InlineData("a", "b", "10.0.1.11")] // b's address on the network a shares with it, not b's first
    [InlineData("c", "b", "10.0.2.11")]
    [InlineData("c", "a", "10.0.1.10")] // no shared network: a's first static address, reached through a router
    [InlineData("a", "10.0.9.1", "10.0.9.1")]
    public void Target_ReachesMachineOrAddress_PicksTheAddressToPing(string machine, string reaches, string expected)
    {
        var check = new CheckDefinition { Name = "p", Machine = machine, Reaches = reaches };

        Assert.Equal(expected, CheckCommand.Target(Lab, check));
        Assert.Contains($"ping -c 1 -W 2 {expected} ", CheckCommand.Argv(Lab, check)[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Target_RunCheck_IsNull()
    {
        Assert.Null(CheckCommand.Target(Lab, new CheckDefinition { Name = "r", Machine = "a", Run = "true" }));
    }
}
