using SkillVL.Core.Quantities;
using Xunit;

namespace SkillVL.Core.Tests.Quantities;

public sealed class MemoryQuantityTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1", 1L)]
    [InlineData("1048576", 1048576L)]
    [InlineData("1Ki", 1024L)]
    [InlineData("256Mi", 268435456L)]
    [InlineData("1Gi", 1073741824L)]
    [InlineData("2Ti", 2199023255552L)]
    [InlineData("1K", 1000L)]
    [InlineData("512M", 512000000L)]
    [InlineData("2G", 2000000000L)]
    [InlineData("3T", 3000000000000L)]
    [InlineData("0016Mi", 16777216L)]
    public void TryParseBytes_ValidQuantity_GivesBytes(string text, long expected)
    {
        Assert.True(MemoryQuantity.TryParseBytes(text, out var bytes));
        Assert.Equal(expected, bytes);
        Assert.Equal(expected, MemoryQuantity.ParseBytes(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Mi")]
    [InlineData("256MB")]
    [InlineData("256mi")]
    [InlineData("1.5Gi")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 256Mi")]
    [InlineData("256 Mi")]
    [InlineData("1e9")]
    [InlineData("1Pi")]
    [InlineData("9223372036854775808")]
    [InlineData("9999999Ti")]
    public void TryParseBytes_NotAQuantity_IsFalse(string? text)
    {
        Assert.False(MemoryQuantity.TryParseBytes(text, out var bytes));
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void ParseBytes_NotAQuantity_ThrowsNamingTheText()
    {
        var exception = Assert.Throws<FormatException>(() => MemoryQuantity.ParseBytes("256MB"));
        Assert.Contains("'256MB'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1L, "1")]
    [InlineData(1000L, "1000")]
    [InlineData(1024L, "1Ki")]
    [InlineData(1536L, "1536")]
    [InlineData(268435456L, "256Mi")]
    [InlineData(1610612736L, "1536Mi")]
    [InlineData(2147483648L, "2Gi")]
    [InlineData(1099511627776L, "1Ti")]
    [InlineData(5497558138880L, "5Ti")]
    public void Format_GivesLargestExactBinaryUnit(long bytes, string expected)
    {
        Assert.Equal(expected, MemoryQuantity.Format(bytes));
        Assert.Equal(bytes, MemoryQuantity.ParseBytes(MemoryQuantity.Format(bytes)));
    }

    [Fact]
    public void Format_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryQuantity.Format(-1));
    }
}
