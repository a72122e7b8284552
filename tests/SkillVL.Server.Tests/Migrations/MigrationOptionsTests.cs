using SkillVL.Server.Migrations;

namespace SkillVL.Server.Tests.Migrations;

public sealed class MigrationOptionsTests
{
    [Fact]
    public void Defaults_AreValid() => Assert.Null(new MigrationOptions().Invalid());

    [Theory]
    [InlineData("50", "40ms", 0, "laptop1")]
    [InlineData("0Mbit", "40ms", 0, "laptop1")]
    [InlineData("50Mbit", "soon", 0, "laptop1")]
    [InlineData("50Mbit", "40ms", 1, "laptop1")]
    public void ABadLink_IsNamed(string bandwidth, string rtt, double loss, string expected)
    {
        var options = new MigrationOptions();
        options.Links["laptop1"] = new MigrationLinkSetting { Bandwidth = bandwidth, Rtt = rtt, Loss = loss };

        Assert.Equal(expected, options.Invalid());
    }
}
