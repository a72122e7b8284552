using SkillVL.Server.Checks;

namespace SkillVL.Server.Tests.Checks;

public sealed class CheckOptionsTests
{
    [Fact]
    public void Invalid_Defaults_AreValid() => Assert.Null(new CheckOptions().Invalid());

    [Theory]
    [InlineData(0.5, 60, 5, "CheckTimeout")]
    [InlineData(15, 10, 5, "RunTimeout")]
    [InlineData(15, 601, 5, "RunTimeout")]
    [InlineData(15, 60, -1, "MinInterval")]
    public void Invalid_SettingOutOfRange_IsNamed(double check, double run, double interval, string expected)
    {
        var options = new CheckOptions
        {
            CheckTimeout = TimeSpan.FromSeconds(check),
            RunTimeout = TimeSpan.FromSeconds(run),
            MinInterval = TimeSpan.FromSeconds(interval),
        };

        Assert.Equal(expected, options.Invalid());
    }
}
