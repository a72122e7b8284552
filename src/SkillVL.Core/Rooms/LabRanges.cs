using System.Globalization;
using SkillVL.Core.Addressing;

namespace SkillVL.Core.Rooms;

/// <summary>
/// Which IPv4 networks a room may use. A room's networks are isolated bridges, so any unicast range works
/// inside one (public ranges included: a lab may simulate "the internet"); what does not work, or would confuse
/// the guests and the host's own stack, are the special-purpose blocks of RFC 6890 listed here, and networks so
/// wide they are a typo (0.0.0.0/0) rather than a lab LAN.
/// </summary>
public static class LabRanges
{
    /// <summary>A /8 (16 million addresses) is already far more than any lab LAN; anything wider is a mistake.</summary>
    public const int MinPrefixLength = 8;

    /// <summary>The blocks no lab network may overlap, with why (RFC 6890, RFC 5771, RFC 3927, RFC 1122).</summary>
    private static readonly (Ipv4Cidr Block, string Why)[] Reserved =
    [
        (Ipv4Cidr.Parse("0.0.0.0/8"), "'this network' (0.0.0.0/8, RFC 1122)"),
        (Ipv4Cidr.Parse("127.0.0.0/8"), "loopback (127.0.0.0/8)"),
        (Ipv4Cidr.Parse("169.254.0.0/16"), "link-local (169.254.0.0/16, RFC 3927)"),
        (Ipv4Cidr.Parse("224.0.0.0/4"), "multicast (224.0.0.0/4, RFC 5771)"),
        (Ipv4Cidr.Parse("240.0.0.0/4"), "reserved and broadcast (240.0.0.0/4, RFC 1112)"),
    ];

    /// <summary>Why <paramref name="cidr"/> is not a lab range, or null when it is one.</summary>
    public static string? Problem(Ipv4Cidr cidr)
    {
        if (cidr.PrefixLength < MinPrefixLength)
        {
            return $"{cidr} is too wide: a lab network needs a prefix of /{MinPrefixLength.ToString(CultureInfo.InvariantCulture)} or longer";
        }

        foreach (var (block, why) in Reserved)
        {
            if (block.Overlaps(cidr))
            {
                return $"{cidr} is not a lab range: it overlaps {why}; use a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16";
            }
        }

        return null;
    }
}
