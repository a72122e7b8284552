using System.Net;
using SkillVL.Core.Addressing;
using Xunit;

namespace SkillVL.Core.Tests.Addressing;

public sealed class Ipv4AddressTests
{
    [Theory]
    [InlineData("0.0.0.0", 0x00000000u)]
    [InlineData("10.0.1.10", 0x0A00010Au)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    [InlineData("192.168.100.1", 0xC0A86401u)]
    public void TryParse_DottedQuad_Parses(string text, uint value)
    {
        Assert.True(Ipv4Address.TryParse(text, out var address));
        Assert.Equal(IPAddress.Parse(text), address);
        Assert.Equal(value, Ipv4Address.ToUInt32(address));
        Assert.Equal(address, Ipv4Address.FromUInt32(value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10.0.1")]
    [InlineData("10.0.1.")]
    [InlineData("10.0.1.10.")]
    [InlineData("10.0.1.256")]
    [InlineData("10.0.1.010")]
    [InlineData("10.0.1.1000")]
    [InlineData("10.1")]
    [InlineData("0x0a.0.1.10")]
    [InlineData("10.0.1.10/24")]
    [InlineData(" 10.0.1.10")]
    [InlineData("fd00::1")]
    [InlineData("10.0.1.-1")]
    public void TryParse_NotStrictDottedQuad_IsFalse(string? text)
    {
        Assert.False(Ipv4Address.TryParse(text, out _));
    }
}
