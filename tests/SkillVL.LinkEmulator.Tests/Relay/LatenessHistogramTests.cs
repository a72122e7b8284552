using SkillVL.LinkEmulator.Relay;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Relay;

public sealed class LatenessHistogramTests
{
    [Fact]
    public void Summarize_GivesMeanMaxAndAnUpperBoundOfTheP99()
    {
        var histogram = new LatenessHistogram();
        for (var i = 0; i < 990; i++)
        {
            histogram.Record(20);
        }

        for (var i = 0; i < 10; i++)
        {
            histogram.Record(700);
        }

        var summary = histogram.Summarize();

        Assert.Equal(1000, summary.Frames);
        Assert.Equal(((990 * 20) + (10 * 700)) / 1000.0, summary.MeanMicroseconds, 6);
        Assert.Equal(32, summary.P99UpperBoundMicroseconds);
        Assert.Equal(700, summary.MaxMicroseconds);
    }

    [Fact]
    public void Summarize_Empty_IsZero() =>
        Assert.Equal(new LatenessSummary(0, 0, 0, 0), new LatenessHistogram().Summarize());
}
