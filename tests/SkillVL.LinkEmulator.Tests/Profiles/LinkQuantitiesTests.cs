using SkillVL.LinkEmulator.Profiles;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Profiles;

public sealed class LinkQuantitiesTests
{
    [Theory]
    [InlineData("50mbit", 50_000_000L)]
    [InlineData("50Mbit", 50_000_000L)]
    [InlineData("100mbit", 100_000_000L)]
    [InlineData("800kbit", 800_000L)]
    [InlineData("1.5gbit", 1_500_000_000L)]
    [InlineData("9600bit", 9600L)]
    [InlineData(" 10mbit ", 10_000_000L)]
    public void ParseRate_TcStyleRate_GivesBitsPerSecond(string text, long expected) =>
        Assert.Equal(expected, LinkQuantities.ParseRate("rate", text));

    [Theory]
    [InlineData("50", "has no unit")]
    [InlineData("fast", "is not a rate")]
    [InlineData("50mbt", "is not a rate")]
    [InlineData("-1mbit", "does not start with a number")]
    [InlineData("1e6bit", "does not start with a number")]
    [InlineData("0mbit", "out of range")]
    [InlineData("50mbps", "ambiguous")]
    [InlineData("", "a value is required")]
    public void ParseRate_BadInput_NamesTheField(string text, string expected)
    {
        var error = Assert.Throws<LinkProfileException>(() => LinkQuantities.ParseRate("rate-ab", text));

        Assert.Equal("rate-ab", error.Field);
        Assert.StartsWith("rate-ab: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20ms", 20_000.0)]
    [InlineData("0ms", 0.0)]
    [InlineData("1.5ms", 1_500.0)]
    [InlineData("250us", 250.0)]
    [InlineData("2s", 2_000_000.0)]
    [InlineData("0.5s", 500_000.0)]
    public void ParseDuration_WithUnit_GivesDuration(string text, double expectedMicroseconds) =>
        Assert.Equal(TimeSpan.FromMicroseconds(expectedMicroseconds), LinkQuantities.ParseDuration("delay", text));

    [Theory]
    [InlineData("40", "has no unit")]
    [InlineData("40m", "is not a duration")]
    [InlineData("-1ms", "does not start with a number")]
    [InlineData("2h", "is not a duration")]
    [InlineData("7200s", "out of range")]
    public void ParseDuration_BadInput_NamesTheField(string text, string expected)
    {
        var error = Assert.Throws<LinkProfileException>(() => LinkQuantities.ParseDuration("delay", text));

        Assert.Equal("delay", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.1%", 0.001)]
    [InlineData("10%", 0.1)]
    [InlineData("0%", 0.0)]
    [InlineData("100%", 1.0)]
    public void ParsePercentage_WithPercentSign_GivesFraction(string text, double expected) =>
        Assert.Equal(expected, LinkQuantities.ParsePercentage("loss", text), 12);

    [Theory]
    [InlineData("0.1", "with a % sign")]
    [InlineData("101%", "out of range")]
    [InlineData("abc%", "does not start with a number")]
    [InlineData("-1%", "does not start with a number")]
    public void ParsePercentage_BadInput_NamesTheField(string text, string expected)
    {
        var error = Assert.Throws<LinkProfileException>(() => LinkQuantities.ParsePercentage("loss", text));

        Assert.Equal("loss", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1514", 1514L)]
    [InlineData("1514B", 1514L)]
    [InlineData("256KiB", 262_144L)]
    [InlineData("256Ki", 262_144L)]
    [InlineData("1MiB", 1_048_576L)]
    [InlineData("64kB", 64_000L)]
    [InlineData("1MB", 1_000_000L)]
    public void ParseBytes_WithOrWithoutUnit_GivesBytes(string text, long expected) =>
        Assert.Equal(expected, LinkQuantities.ParseBytes("queue", text));

    [Theory]
    [InlineData("12xb", "does not start with a number")]
    [InlineData("0KiB", "out of range")]
    [InlineData("KiB", "does not start with a number")]
    public void ParseBytes_BadInput_NamesTheField(string text, string expected)
    {
        var error = Assert.Throws<LinkProfileException>(() => LinkQuantities.ParseBytes("queue", text));

        Assert.Equal("queue", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50_000_000L, "50mbit")]
    [InlineData(1_500_000_000L, "1500mbit")]
    [InlineData(9600L, "9600bit")]
    public void FormatRate_RoundTripsThroughParseRate(long bits, string expected)
    {
        Assert.Equal(expected, LinkQuantities.FormatRate(bits));
        Assert.Equal(bits, LinkQuantities.ParseRate("rate", expected));
    }
}
