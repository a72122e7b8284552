using System.Globalization;
using System.Net;

namespace SkillVL.Testbed.Planning;

/// <summary>
/// The underlay: one /24 inside 198.18.0.0/15 (RFC 2544's benchmarking range, never routed on the Internet, so
/// it cannot shadow a real network the host talks to). Host .1 is the bridge in the root namespace, .10+i server
/// node i, .100+j client j.
/// </summary>
public sealed record UnderlaySubnet
{
    public const int PrefixLength = 24;

    private UnderlaySubnet(byte second, byte third)
    {
        Second = second;
        Third = third;
    }

    public byte Second { get; }

    public byte Third { get; }

    /// <summary>e.g. 198.18.0.0/24.</summary>
    public string Cidr => string.Create(CultureInfo.InvariantCulture, $"198.{Second}.{Third}.0/{PrefixLength}");

    /// <summary>Parses <c>198.18.X.0/24</c> or <c>198.19.X.0/24</c>.</summary>
    /// <exception cref="TestbedException">Usage error naming <paramref name="option"/>.</exception>
    public static UnderlaySubnet Parse(string option, string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(text[..slash], out var address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || text[(slash + 1)..] != "24")
        {
            throw TestbedException.Usage(option, $"'{text}' is not a /24 network such as 198.18.0.0/24");
        }

        var bytes = address.GetAddressBytes();
        if (bytes[0] != 198 || bytes[1] is not (18 or 19))
        {
            throw TestbedException.Usage(option, $"'{text}' is outside 198.18.0.0/15, the benchmarking range the testbed keeps to");
        }

        if (bytes[3] != 0)
        {
            throw TestbedException.Usage(option, $"'{text}' has host bits set; did you mean {bytes[0]}.{bytes[1]}.{bytes[2]}.0/24?");
        }

        return new UnderlaySubnet(bytes[1], bytes[2]);
    }

    /// <summary>The address of host <paramref name="host"/> (1-254) of this subnet.</summary>
    public string Host(int host) => string.Create(CultureInfo.InvariantCulture, $"198.{Second}.{Third}.{host}");

    /// <summary>Whether <paramref name="address"/> (dotted IPv4) lies in this subnet.</summary>
    public bool Contains(string address) =>
        IPAddress.TryParse(address, out var parsed)
        && parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
        && parsed.GetAddressBytes() is [198, var b, var c, _] && b == Second && c == Third;
}
