using Xunit;

namespace SkillVL.IntegrationTests.Placement;

/// <summary>A bad <c>SkillVL:Placement</c> stops the Server at start, naming the section — an unknown mode used to fall
/// back to <c>suggest</c> silently, and the ranges of nested options were not checked at all.</summary>
public sealed class PlacementOptionsStartTests
{
    [Theory]
    [InlineData("sometimes", 3)]
    [InlineData("auto", 0)]
    public async Task BadPlacementSettings_RefuseTheStart_NamingTheSection(string mode, int hysteresis)
    {
        var refused = await BareServerStart.RefusedAsync(o =>
        {
            o.Placement.Mode = mode;
            o.Placement.HysteresisEvaluations = hysteresis;
        });

        Assert.Contains("SkillVL:Placement is not valid", refused.Message, StringComparison.Ordinal);
    }
}
