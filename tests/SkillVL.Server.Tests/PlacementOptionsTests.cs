using SkillVL.Server.PlacementControl;

namespace SkillVL.Server.Tests;

public sealed class PlacementOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndSuggest()
    {
        var options = new PlacementOptions();

        Assert.Null(options.Invalid());
        Assert.Equal("suggest", options.Defaults().Mode);
    }

    [Fact]
    public void UnknownMode_AndOutOfRange_AreInvalid_NamingTheSettings()
    {
        Assert.Equal("Mode", new PlacementOptions { Mode = "sometimes" }.Invalid());
        Assert.Equal("Mode, HysteresisEvaluations, DecisionLogSize",
            new PlacementOptions { Mode = "always", HysteresisEvaluations = 0, DecisionLogSize = 0 }.Invalid());
        Assert.Equal("MaxMovesPerNode", new PlacementOptions { MaxMovesPerNode = -1 }.Invalid());
    }
}
