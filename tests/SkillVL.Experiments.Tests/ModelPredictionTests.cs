using Xunit;

namespace SkillVL.Experiments.Tests;

public sealed class ModelPredictionTests
{
    private static ExperimentCell Cell(string method, string ram = "256Mi", string bandwidth = "50Mbit", string fill = "random", string dirty = "0MiB/s") =>
        new(Factor.All.Select(f => f.Name switch
        {
            Factor.Method => method,
            Factor.Ram => ram,
            Factor.Bandwidth => bandwidth,
            Factor.Fill => fill,
            Factor.Dirty => dirty,
            Factor.Written => "64Mi",
            Factor.Rtt => "40ms",
            _ => f.Default,
        }).ToList());

    [Fact]
    public void Predict_MoreRam_TakesLonger()
    {
        var small = ModelPrediction.Predict(Cell("skillvl", ram: "128Mi"), 11L << 20)!;
        var large = ModelPrediction.Predict(Cell("skillvl", ram: "1Gi"), 11L << 20)!;

        Assert.True(large.TotalTime > small.TotalTime);
    }

    [Fact]
    public void Predict_Baseline_MirrorsTheTemplateToo()
    {
        var skillvl = ModelPrediction.Predict(Cell("skillvl"), 200L << 20)!;
        var baseline = ModelPrediction.Predict(Cell("baseline"), 200L << 20)!;

        Assert.True(baseline.TotalBytes > skillvl.TotalBytes + (150L << 20));
    }

    [Fact]
    public void Predict_RandomFillOnSlowerLink_TakesAboutItsBytesOverTheRate()
    {
        // 128 MiB random + 75 MiB OS + 64 MiB written over 20 Mbit/s ≈ 118 s at 95 % efficiency (+ RTTs).
        var prediction = ModelPrediction.Predict(Cell("baseline", bandwidth: "20Mbit"), 0)!;

        Assert.InRange(prediction.TotalTime.TotalSeconds, 110, 130);
    }

    [Theory]
    [InlineData("128Mi", 32)]
    [InlineData("192Mi", 96)]
    [InlineData("512Mi", 256)]
    [InlineData("64Mi", 0)]
    public void FilledRam_IsHalfButLeavesTheOsItsReserve(string ram, long mib) =>
        Assert.Equal(mib << 20, Cell("skillvl", ram: ram).FilledRamBytes);
}
