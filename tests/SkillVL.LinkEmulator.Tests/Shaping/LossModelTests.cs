using SkillVL.LinkEmulator.Shaping;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.LinkEmulator.Tests.Shaping;

public sealed class LossModelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.001)]
    [InlineData(0.01)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void NextIsLost_ManyFrames_LosesTheFractionWithinFourSigma(double fraction)
    {
        const int frames = 200_000;
        var model = new LossModel(fraction, new Random(42));

        var lost = Enumerable.Range(0, frames).Count(_ => model.NextIsLost());

        var sigma = Math.Sqrt(frames * fraction * (1 - fraction));
        output.WriteLine($"loss {fraction:P1}: {lost} of {frames} lost ({(double)lost / frames:P3}), expected {frames * fraction:0} ± {4 * sigma:0} (4σ)");
        Assert.InRange(lost, (frames * fraction) - (4 * sigma), (frames * fraction) + (4 * sigma));
    }

    [Fact]
    public void NextIsLost_SameSeed_SameFramesLost()
    {
        var a = new LossModel(0.1, new Random(7));
        var b = new LossModel(0.1, new Random(7));

        Assert.Equal(Enumerable.Range(0, 10_000).Select(_ => a.NextIsLost()), Enumerable.Range(0, 10_000).Select(_ => b.NextIsLost()));
    }

    [Fact]
    public void NextIsLost_ZeroAndOne_NeverAndAlways()
    {
        var never = new LossModel(0, new Random(1));
        var always = new LossModel(1, new Random(1));

        Assert.DoesNotContain(true, Enumerable.Range(0, 10_000).Select(_ => never.NextIsLost()));
        Assert.DoesNotContain(false, Enumerable.Range(0, 10_000).Select(_ => always.NextIsLost()));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void Constructor_FractionOutOfRange_Throws(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossModel(fraction, new Random(1)));
}
