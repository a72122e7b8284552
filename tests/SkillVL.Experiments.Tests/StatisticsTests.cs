using Xunit;

namespace SkillVL.Experiments.Tests;

public sealed class StatisticsTests
{
    [Theory]
    [InlineData(1, 12.706)]
    [InlineData(2, 4.303)]
    [InlineData(9, 2.262)]
    [InlineData(30, 2.042)]
    [InlineData(60, 2.0)]
    public void StudentT95_MatchesTheTable(int df, double expected) =>
        Assert.Equal(expected, Statistics.StudentT95(df), 3);

    [Fact]
    public void MeanCi95_ThreeValues_IsMeanPlusMinusTsOverRootN()
    {
        // mean 20, s = 10, t(2) = 4.303: 4.303 · 10 / √3 = 24.843.
        var (mean, half) = Statistics.MeanCi95([10, 20, 30]);

        Assert.Equal(20, mean, 9);
        Assert.Equal(24.843, half!.Value, 3);
    }

    [Fact]
    public void MeanCi95_OneValue_HasNoInterval()
    {
        var (mean, half) = Statistics.MeanCi95([42]);

        Assert.Equal(42, mean);
        Assert.Null(half);
    }

    [Fact]
    public void MeanCi95_NoValues_Throws() => Assert.Throws<ArgumentException>(() => Statistics.MeanCi95([]));
}
