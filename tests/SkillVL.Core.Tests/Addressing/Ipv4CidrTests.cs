using System.Net;
using SkillVL.Core.Addressing;
using Xunit;

namespace SkillVL.Core.Tests.Addressing;

public sealed class Ipv4CidrTests
{
    [Theory]
    [InlineData("10.0.1.0/24", "10.0.1.0", 24, "10.0.1.255", "255.255.255.0")]
    [InlineData("10.0.0.0/16", "10.0.0.0", 16, "10.0.255.255", "255.255.0.0")]
    [InlineData("192.168.1.4/30", "192.168.1.4", 30, "192.168.1.7", "255.255.255.252")]
    [InlineData("172.16.0.0/12", "172.16.0.0", 12, "172.31.255.255", "255.240.0.0")]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0, "255.255.255.255", "0.0.0.0")]
    [InlineData("10.0.1.7/32", "10.0.1.7", 32, "10.0.1.7", "255.255.255.255")]
    public void TryParse_Network_GivesItsParts(string text, string network, int prefixLength, string broadcast, string netmask)
    {
        Assert.True(Ipv4Cidr.TryParse(text, out var cidr));
        Assert.Equal(IPAddress.Parse(network), cidr.Network);
        Assert.Equal(prefixLength, cidr.PrefixLength);
        Assert.Equal(IPAddress.Parse(broadcast), cidr.Broadcast);
        Assert.Equal(IPAddress.Parse(netmask), cidr.Netmask);
        Assert.Equal(text, cidr.ToString());
        Assert.Equal(cidr, Ipv4Cidr.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10.0.1.0")]
    [InlineData("10.0.1.0/")]
    [InlineData("10.0.1.0/33")]
    [InlineData("10.0.1.0/-1")]
    [InlineData("10.0.1.0/024")]
    [InlineData("10.0.1.0/08")]
    [InlineData("10.0.1/24")]
    [InlineData("10.0.1.0.0/24")]
    [InlineData("10.0.1.256/24")]
    [InlineData("010.0.1.0/24")]
    [InlineData("10.0.1.0 /24")]
    [InlineData("0x0a.0.1.0/24")]
    [InlineData("fd00::/64")]
    [InlineData("10.0.1.5/24")]
    public void TryParse_NotANetwork_IsFalse(string? text)
    {
        Assert.False(Ipv4Cidr.TryParse(text, out _));
    }

    [Fact]
    public void Parse_HostBitsSet_ThrowsNamingTheNetwork()
    {
        var exception = Assert.Throws<FormatException>(() => Ipv4Cidr.Parse("10.0.1.5/24"));
        Assert.Equal("'10.0.1.5/24' has host bits set; the network is 10.0.1.0/24", exception.Message);
    }

    [Fact]
    public void Parse_Garbage_ThrowsNamingTheText()
    {
        var exception = Assert.Throws<FormatException>(() => Ipv4Cidr.Parse("lan"));
        Assert.Contains("'lan'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.1.0/24", "10.0.1.0", true)]
    [InlineData("10.0.1.0/24", "10.0.1.10", true)]
    [InlineData("10.0.1.0/24", "10.0.1.255", true)]
    [InlineData("10.0.1.0/24", "10.0.2.0", false)]
    [InlineData("10.0.1.0/24", "10.0.0.255", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("10.0.1.0/24", "::ffff:10.0.1.10", true)]
    [InlineData("10.0.1.0/24", "fd00::1", false)]
    public void Contains_Address(string cidr, string address, bool expected)
    {
        Assert.Equal(expected, Ipv4Cidr.Parse(cidr).Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/16", "10.0.1.0/24", true)]
    [InlineData("10.0.1.0/24", "10.0.0.0/16", true)]
    [InlineData("10.0.1.0/24", "10.0.1.0/24", true)]
    [InlineData("10.0.1.0/24", "10.0.2.0/24", false)]
    [InlineData("10.0.1.0/25", "10.0.1.128/25", false)]
    [InlineData("10.0.1.4/30", "10.0.1.6/31", true)]
    [InlineData("0.0.0.0/0", "192.168.0.0/16", true)]
    public void Overlaps_IsSymmetric(string a, string b, bool expected)
    {
        Assert.Equal(expected, Ipv4Cidr.Parse(a).Overlaps(Ipv4Cidr.Parse(b)));
        Assert.Equal(expected, Ipv4Cidr.Parse(b).Overlaps(Ipv4Cidr.Parse(a)));
    }

    [Theory]
    [InlineData("10.0.1.0/24", "10.0.1.10", "10.0.1.10/24")]
    [InlineData("192.168.1.4/30", "192.168.1.5", "192.168.1.5/30")]
    [InlineData("10.0.0.0/8", "::ffff:10.9.8.7", "10.9.8.7/8")]
    public void HostWithPrefix_GivesAddressWithPrefixLength(string cidr, string address, string expected)
    {
        Assert.Equal(expected, Ipv4Cidr.Parse(cidr).HostWithPrefix(IPAddress.Parse(address)));
    }

    [Fact]
    public void HostWithPrefix_AddressOutside_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(
            () => Ipv4Cidr.Parse("10.0.1.0/24").HostWithPrefix(IPAddress.Parse("10.0.2.1")));
        Assert.StartsWith("10.0.2.1 is not in 10.0.1.0/24", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseHostWithPrefix_InvertsHostWithPrefix()
    {
        Assert.True(Ipv4Cidr.TryParseHostWithPrefix("10.0.1.10/24", out var address, out var network));
        Assert.Equal(IPAddress.Parse("10.0.1.10"), address);
        Assert.Equal(Ipv4Cidr.Parse("10.0.1.0/24"), network);
        Assert.Equal("10.0.1.10/24", network.HostWithPrefix(address));
    }

    [Fact]
    public void Equality_IsByValue()
    {
        Assert.Equal(Ipv4Cidr.Parse("10.0.1.0/24"), Ipv4Cidr.FromAddress(IPAddress.Parse("10.0.1.77"), 24));
        Assert.NotEqual(Ipv4Cidr.Parse("10.0.1.0/24"), Ipv4Cidr.Parse("10.0.1.0/25"));
    }
}
