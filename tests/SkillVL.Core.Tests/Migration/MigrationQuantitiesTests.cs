using SkillVL.Core.Migration;
using Xunit;

namespace SkillVL.Core.Tests.Migration;

public sealed class MigrationQuantitiesTests
{
    [Theory]
    [InlineData("50Mbit", 6_250_000)]
    [InlineData("50mbit", 6_250_000)]
    [InlineData("1.5Gbit/s", 187_500_000)]
    [InlineData("100kbit", 12_500)]
    [InlineData("100MiB/s", 104_857_600)]
    [InlineData("20MB/s", 20_000_000)]
    [InlineData("0Mbit", 0)]
    [InlineData("-5Mbit", -625_000)]
    public void Rate_Parses(string text, long bytesPerSecond)
    {
        Assert.True(MigrationQuantities.TryParseRate(text, out var rate));
        Assert.Equal(bytesPerSecond, rate.BytesPerSecond);
    }

    [Theory]
    [InlineData("50")]
    [InlineData("fast")]
    [InlineData("50Mbps")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("5 parsecs")]
    public void Rate_Refuses(string? text) => Assert.False(MigrationQuantities.TryParseRate(text, out _));

    [Theory]
    [InlineData("300ms", 300)]
    [InlineData("2s", 2000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("500us", 0.5)]
    [InlineData("0ms", 0)]
    [InlineData("-1ms", -1)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1.5d", 129_600_000)]
    public void Duration_Parses(string text, double milliseconds)
    {
        Assert.True(MigrationQuantities.TryParseDuration(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData("300")]
    [InlineData("soon")]
    [InlineData("1w")]
    [InlineData("7 days")]
    public void Duration_Refuses(string text) => Assert.False(MigrationQuantities.TryParseDuration(text, out _));
}
