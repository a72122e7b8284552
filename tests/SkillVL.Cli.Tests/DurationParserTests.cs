using SkillVL.Cli.Input;

namespace SkillVL.Cli.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1m30s", 90)]
    [InlineData("1.5m", 90)]
    [InlineData("00:00:45", 45)]
    [InlineData("01:00:00", 3600)]
    public void TryParse_Valid_GivesDuration(string text, double seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5 m")]
    [InlineData("0s")]
    [InlineData("-5s")]
    public void TryParse_Invalid_Fails(string text) => Assert.False(DurationParser.TryParse(text, out _));

    [Fact]
    public void TryParse_Milliseconds_NotReadAsMinutes() =>
        Assert.True(DurationParser.TryParse("250ms", out var d) && d == TimeSpan.FromMilliseconds(250));
}
