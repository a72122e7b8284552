using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SkillVL.Core.Addressing;

/// <summary>
/// An IPv4 network such as 10.0.1.0/24. Always a network: the host bits are zero (10.0.1.5/24 does not parse
/// as a CIDR; <see cref="TryParseHostWithPrefix"/> reads that form as an address on a network).
/// </summary>
public readonly record struct Ipv4Cidr
{
    private readonly uint _network;

    private Ipv4Cidr(uint network, int prefixLength)
    {
        _network = network;
        PrefixLength = prefixLength;
    }

    /// <summary>0..32.</summary>
    public int PrefixLength { get; }

    /// <summary>The first address, e.g. 10.0.1.0.</summary>
    public IPAddress Network => Ipv4Address.FromUInt32(_network);

    /// <summary>The last address, e.g. 10.0.1.255.</summary>
    public IPAddress Broadcast => Ipv4Address.FromUInt32(_network | ~Mask(PrefixLength));

    /// <summary>The netmask, e.g. 255.255.255.0.</summary>
    public IPAddress Netmask => Ipv4Address.FromUInt32(Mask(PrefixLength));

    /// <summary>A network from its first address and prefix length; host bits of the address are cleared.</summary>
    public static Ipv4Cidr FromAddress(IPAddress address, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        return new Ipv4Cidr(Ipv4Address.ToUInt32(address) & Mask(prefixLength), prefixLength);
    }

    /// <summary>Reads "a.b.c.d/n" with strict dotted-quad text, n in 0..32, and no host bits set.</summary>
    public static bool TryParse(string? text, out Ipv4Cidr cidr)
    {
        cidr = default;
        if (!TrySplit(text, out var address, out var prefixLength) || (address & ~Mask(prefixLength)) != 0)
        {
            return false;
        }

        cidr = new Ipv4Cidr(address, prefixLength);
        return true;
    }

    /// <summary>Reads "a.b.c.d/n".</summary>
    /// <exception cref="FormatException">Not a CIDR, or host bits are set; the message names the text.</exception>
    public static Ipv4Cidr Parse(string text)
    {
        if (TryParse(text, out var cidr))
        {
            return cidr;
        }

        if (TryParseHostWithPrefix(text, out _, out var network))
        {
            throw new FormatException($"'{text}' has host bits set; the network is {network}");
        }

        throw new FormatException($"'{text}' is not an IPv4 CIDR such as 10.0.1.0/24");
    }

    /// <summary>
    /// Reads an address with its network's prefix length, e.g. "10.0.1.10/24" → 10.0.1.10 on 10.0.1.0/24;
    /// the inverse of <see cref="HostWithPrefix"/>.
    /// </summary>
    public static bool TryParseHostWithPrefix(string? text, out IPAddress address, out Ipv4Cidr network)
    {
        address = IPAddress.None;
        network = default;
        if (!TrySplit(text, out var value, out var prefixLength))
        {
            return false;
        }

        address = Ipv4Address.FromUInt32(value);
        network = new Ipv4Cidr(value & Mask(prefixLength), prefixLength);
        return true;
    }

    /// <summary>Whether the address is in this network (network and broadcast addresses included).</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork && !address.IsIPv4MappedToIPv6)
        {
            return false;
        }

        return (Ipv4Address.ToUInt32(address) & Mask(PrefixLength)) == _network;
    }

    /// <summary>Whether the two networks share any address (one contains the other's first address).</summary>
    public bool Overlaps(Ipv4Cidr other)
    {
        var mask = Mask(Math.Min(PrefixLength, other.PrefixLength));
        return (_network & mask) == (other._network & mask);
    }

    /// <summary>
    /// The address with this network's prefix length, e.g. "10.0.1.10/24": the form a guest's interface is
    /// configured with.
    /// </summary>
    /// <exception cref="ArgumentException">The address is not in this network.</exception>
    public string HostWithPrefix(IPAddress ip)
    {
        if (!Contains(ip))
        {
            throw new ArgumentException($"{ip} is not in {this}", nameof(ip));
        }

        return $"{Ipv4Address.FromUInt32(Ipv4Address.ToUInt32(ip))}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>"10.0.1.0/24".</summary>
    public override string ToString() => $"{Network}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    private static uint Mask(int prefixLength) => prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);

    private static bool TrySplit(string? text, out uint address, out int prefixLength)
    {
        address = 0;
        prefixLength = 0;
        if (text is null)
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !Ipv4Address.TryParseValue(text.AsSpan(0, slash), out address))
        {
            return false;
        }

        // Decimal without leading zeros, like the octets: "/08" is as suspicious as "010.0.0.0".
        var prefix = text.AsSpan(slash + 1);
        if (prefix.IsEmpty || prefix.Length > 2 || (prefix.Length == 2 && prefix[0] == '0'))
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            prefixLength = (prefixLength * 10) + (c - '0');
        }

        return prefixLength <= 32;
    }
}
