using SkillVL.Core.Quantities;
using Xunit;

namespace SkillVL.Core.Tests.Quantities;

public sealed class PercentageTests
{
    [Theory]
    [InlineData("0%", 0)]
    [InlineData("1%", 0.01)]
    [InlineData(" 0.1% ", 0.001)]
    [InlineData("0.5 %", 0.005)]
    [InlineData("120%", 1.2)]
    [InlineData("-1%", -0.01)]
    public void TryParseFraction_NumberWithSign_IsItsFraction(string text, double fraction)
    {
        Assert.True(Percentage.TryParseFraction(text, out var parsed));
        Assert.Equal(fraction, parsed, 12);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("%")]
    [InlineData("1%%")]
    [InlineData("one%")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParseFraction_NotAPercentage_IsFalse(string? text) => Assert.False(Percentage.TryParseFraction(text, out _));

    [Fact]
    public void Format_IsWhatLinkemTakes() => Assert.Equal("0.05%", Percentage.Format(0.0005));
}
