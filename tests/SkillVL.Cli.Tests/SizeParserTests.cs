using SkillVL.Cli.Input;

namespace SkillVL.Cli.Tests;

public sealed class SizeParserTests
{
    [Theory]
    [InlineData("4Gi", 4L << 30)]
    [InlineData("4GiB", 4L << 30)]
    [InlineData("512Mi", 512L << 20)]
    [InlineData("20G", 20_000_000_000L)]
    [InlineData("20GB", 20_000_000_000L)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("512B", 512L)]
    public void TryParse_Valid_GivesBytes(string text, long bytes)
    {
        Assert.True(SizeParser.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("B")]
    [InlineData("4XB")]
    [InlineData("1.5Gi")]
    [InlineData("4 GiB")]
    [InlineData("-1Gi")]
    [InlineData("4gib")]
    public void TryParse_Invalid_Fails(string text) => Assert.False(SizeParser.TryParse(text, out _));
}
