using System.Net;
using System.Net.Sockets;

namespace SkillVL.Core.Addressing;

/// <summary>
/// Strict dotted-quad IPv4 text, as room documents write it. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// also accepts "10.1", "0x0a.0.0.1" and "010.0.0.1" (inet_aton forms); a room author who writes those almost
/// certainly meant something else, and the room schema rejects them, so this does too.
/// </summary>
public static class Ipv4Address
{
    /// <summary>Four decimal octets 0-255 without leading zeros, e.g. "10.0.1.10".</summary>
    public static bool TryParse(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text is null || !TryParseValue(text.AsSpan(), out var value))
        {
            return false;
        }

        address = FromUInt32(value);
        return true;
    }

    /// <summary>The address as a host-order number (10.0.1.10 → 0x0A00010A).</summary>
    /// <exception cref="ArgumentException">The address is not IPv4.</exception>
    public static uint ToUInt32(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    /// <summary>The address for a host-order number.</summary>
    public static IPAddress FromUInt32(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    internal static bool TryParseValue(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        var octets = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            var octet = 0;
            while (i < text.Length && text[i] is >= '0' and <= '9')
            {
                octet = (octet * 10) + (text[i] - '0');
                i++;
                if (i - start > 3)
                {
                    return false;
                }
            }

            var length = i - start;
            if (length == 0 || octet > 255 || (length > 1 && text[start] == '0'))
            {
                return false;
            }

            value = (value << 8) | (uint)octet;
            octets++;
            if (octets == 4)
            {
                return i == text.Length;
            }

            if (i >= text.Length || text[i] != '.')
            {
                return false;
            }

            i++;
        }
    }
}
