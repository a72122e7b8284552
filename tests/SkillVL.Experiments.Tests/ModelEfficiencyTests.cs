using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>The prediction at another link efficiency keeps the Server's plan (channels, compression, the tunnel) and
/// changes only the efficiency, which the calibration needs.</summary>
public sealed class ModelEfficiencyTests
{
    [Theory]
    [InlineData("skillvl", "20Mbit", "compressible", "0MiB/s")] // the tunnel compresses
    [InlineData("skillvl", "1Gbit", "random", "2MiB/s")]
    [InlineData("baseline", "50Mbit", "random", "1MiB/s")]
    public void Predict_AtTheDefaultEfficiencyRebuilt_EqualsThePlansPrediction(string method, string bandwidth, string fill, string dirty)
    {
        var cell = SyntheticResults.Cells($"{{ method: {method}, bandwidth: {bandwidth}, fill: {fill}, dirty: {dirty}, ram: 256Mi, rtt: 40ms, written: 32Mi }}")[0];

        var plan = ModelPrediction.Predict(cell, SyntheticResults.TemplateBytes)!;
        var rebuilt = ModelPrediction.Predict(cell, SyntheticResults.TemplateBytes, 0.95 + 1e-12)!;

        Assert.Equal(plan.TotalTime.TotalSeconds, rebuilt.TotalTime.TotalSeconds, 1e-3);
        Assert.Equal(plan.Rounds, rebuilt.Rounds);
    }

    [Fact]
    public void Predict_LowerEfficiency_TakesLongerInProportionForAnIdleGuest()
    {
        var cell = SyntheticResults.Cells("{ bandwidth: 20Mbit, fill: random, ram: 256Mi, rtt: 0ms, method: baseline }")[0];

        var full = ModelPrediction.Predict(cell, 0, 0.95)!.TotalTime.TotalSeconds;
        var half = ModelPrediction.Predict(cell, 0, 0.475)!.TotalTime.TotalSeconds;

        // Only the resume time (25 ms) does not scale with the rate.
        Assert.Equal(2 * full, half, 0.1);
    }
}
