using SkillVL.Server.Rooms;

namespace SkillVL.Server.Tests;

public sealed class LimitOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndMatchTheValidatorsDefaults()
    {
        var options = new LimitOptions();

        Assert.Null(options.Invalid());
        Assert.Equal(Core.Rooms.RoomLimits.Default, options.ToRoomLimits());
    }

    [Fact]
    public void ZeroOrNegative_IsInvalid_NamingTheOption()
    {
        Assert.Equal("NetworksPerRoom, DocumentBytes", new LimitOptions { NetworksPerRoom = 0, DocumentBytes = 10 }.Invalid());
    }
}
