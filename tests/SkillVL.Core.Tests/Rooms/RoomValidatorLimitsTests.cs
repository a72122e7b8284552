using SkillVL.Core.Addressing;
using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

/// <summary>Issue 11 finding 5: counts, text lengths and CIDRs that are not lab ranges are refused by field.</summary>
public sealed class RoomValidatorLimitsTests
{
    private static readonly RoomLimits Small = new(MaxMachines: 2, MaxNetworks: 2, MaxNicsPerMachine: 1, MaxDescriptionLength: 10, MaxTextLength: 8, MaxNodeLabels: 1);

    private static readonly RoomValidationContext SmallContext = Context with { Limits = Small };

    /// <summary>(cidr, message): networks that are not lab ranges.</summary>
    public static TheoryData<string, string> NotLabRanges => new()
    {
        { "0.0.0.0/0", "0.0.0.0/0 is too wide: a lab network needs a prefix of /8 or longer" },
        { "10.0.0.0/7", "10.0.0.0/7 is too wide: a lab network needs a prefix of /8 or longer" },
        { "0.0.0.0/8", "0.0.0.0/8 is not a lab range: it overlaps 'this network' (0.0.0.0/8, RFC 1122); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
        { "127.0.0.0/8", "127.0.0.0/8 is not a lab range: it overlaps loopback (127.0.0.0/8); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
        { "127.1.2.0/24", "127.1.2.0/24 is not a lab range: it overlaps loopback (127.0.0.0/8); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
        { "169.254.0.0/16", "169.254.0.0/16 is not a lab range: it overlaps link-local (169.254.0.0/16, RFC 3927); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
        { "169.254.10.0/24", "169.254.10.0/24 is not a lab range: it overlaps link-local (169.254.0.0/16, RFC 3927); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
        { "224.0.0.0/24", "224.0.0.0/24 is not a lab range: it overlaps multicast (224.0.0.0/4, RFC 5771); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
        { "239.255.0.0/16", "239.255.0.0/16 is not a lab range: it overlaps multicast (224.0.0.0/4, RFC 5771); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
        { "240.0.0.0/8", "240.0.0.0/8 is not a lab range: it overlaps reserved and broadcast (240.0.0.0/4, RFC 1112); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
        { "255.255.255.0/24", "255.255.255.0/24 is not a lab range: it overlaps reserved and broadcast (240.0.0.0/4, RFC 1112); use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" },
    };

    [Theory]
    [MemberData(nameof(NotLabRanges))]
    public void Issue11_CidrNotALabRange_IsRefusedNamingTheField(string cidr, string message)
    {
        var room = ParseValid(Room($"metadata: {{ name: a }}\nnetworks: [{{ name: ok, cidr: 10.0.1.0/24 }}, {{ name: bad, cidr: {cidr} }}]\n"));

        Assert.Equal([new ValidationError("networks[1].cidr", message)], RoomValidator.Validate(room, Context));
    }

    [Theory]
    [InlineData("10.0.0.0/8")]
    [InlineData("172.16.0.0/12")]
    [InlineData("192.168.50.0/24")]
    [InlineData("100.64.0.0/10")]
    [InlineData("203.0.113.0/24")]
    [InlineData("8.8.8.0/24")] // a lab may simulate a public network: its bridge is isolated from the host's
    [InlineData("223.255.255.0/30")]
    [InlineData("168.254.0.0/16")]
    public void LabRange_IsAccepted(string cidr)
    {
        Assert.Null(LabRanges.Problem(Ipv4Cidr.Parse(cidr)));
        var room = ParseValid(Room($"metadata: {{ name: a }}\nnetworks: [{{ name: lan, cidr: {cidr} }}]\n"));
        Assert.Empty(RoomValidator.Validate(room, Context));
    }

    /// <summary>(body, field, message): a room over exactly one of <see cref="Small"/>.</summary>
    public static TheoryData<string, string, string> OverLimits => new()
    {
        {
            "metadata: { name: a }\nnetworks: [{ name: a, cidr: 10.0.1.0/24 }, { name: b, cidr: 10.0.2.0/24 }, { name: c, cidr: 10.0.3.0/24 }]\n",
            "networks", "a room may have at most 2 networks; this one has 3"
        },
        {
            "metadata: { name: a }\nmachines: [{ name: a, template: tiny }, { name: b, template: tiny }, { name: c, template: tiny }]\n",
            "machines", "a room may have at most 2 machines; this one has 3"
        },
        {
            "metadata: { name: a }\nnetworks: [{ name: a, cidr: 10.0.1.0/24 }, { name: b, cidr: 10.0.2.0/24 }]\nmachines: [{ name: a, template: tiny, nics: [{ network: a }, { network: b }] }]\n",
            "machines[0].nics", "a machine may have at most 1 NICs; this one has 2"
        },
        {
            "metadata: { name: a, description: eleven char }\n",
            "metadata.description", "has 11 characters; at most 10 are allowed"
        },
        {
            "metadata: { name: a }\nmachines: [{ name: a, template: tinytinyt }]\n",
            "machines[0].template", "has 9 characters; at most 8 are allowed"
        },
        {
            "metadata: { name: a }\nmachines: [{ name: a, template: tiny, nodeLabels: { a: b, c: d } }]\n",
            "machines[0].nodeLabels", "a machine may ask for at most 1 node labels; this one asks for 2"
        },
        {
            "metadata: { name: a }\nmachines: [{ name: a, template: tiny, nodeLabels: { zone: abcdefghi } }]\n",
            "machines[0].nodeLabels", "label 'zone' is longer than 8 characters (key or value)"
        },
    };

    [Theory]
    [MemberData(nameof(OverLimits))]
    public void Issue11_OverALimit_IsRefusedNamingTheField(string body, string field, string message)
    {
        var errors = RoomValidator.Validate(ParseValid(Room(body)), SmallContext);

        Assert.Equal([new ValidationError(field, message)], errors);
    }

    [Fact]
    public void AtTheLimits_IsAccepted()
    {
        var room = ParseValid(Room(
            "metadata: { name: a, description: ten chars! }\nnetworks: [{ name: a, cidr: 10.0.1.0/24 }, { name: b, cidr: 10.0.2.0/24 }]\n"
            + "machines: [{ name: a, template: tiny, nodeLabels: { zone: abcdefgh }, nics: [{ network: a }] }, { name: b, template: tiny, nics: [{ network: b }] }]\n"));

        Assert.Empty(RoomValidator.Validate(room, SmallContext));
    }

    [Fact]
    public void Issue11_TwoHundredNetworks_AreRefusedByTheDefaultLimit()
    {
        var networks = string.Join(", ", Enumerable.Range(0, 200).Select(i => $"{{ name: n{i}, cidr: 10.{i}.0.0/24 }}"));
        var errors = RoomValidator.Validate(ParseValid(Room($"metadata: {{ name: a }}\nnetworks: [{networks}]\n")), Context);

        Assert.Equal([new ValidationError("networks", "a room may have at most 16 networks; this one has 200")], errors);
    }
}
