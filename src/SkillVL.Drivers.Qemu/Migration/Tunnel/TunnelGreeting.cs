using System.Security.Cryptography;
using System.Text;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>
/// The first line on a tunnel connection, after TLS: <c>SKILLVL-TUNNEL/1 &lt;token&gt; &lt;channel&gt;</c> from the
/// connecting node, <c>OK</c> or <c>ERR …</c> back. Shared by the migration tunnel's channels and the link probe.
/// </summary>
internal static class TunnelGreeting
{
    public const string Version = "SKILLVL-TUNNEL/1";

    /// <summary>The line the connecting node sends.</summary>
    public static string Line(string token, string channel) => $"{Version} {token} {channel}";

    /// <summary>The channel a greeting names if it carries <paramref name="token"/> (compared in constant time); null otherwise.</summary>
    public static string? Accept(string line, string token)
    {
        var words = line.Split(' ');
        return words.Length == 3 && words[0] == Version
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(words[1]), Encoding.ASCII.GetBytes(token))
            ? words[2]
            : null;
    }

    public static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < 256)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("the tunnel's peer closed the connection during the greeting");
            }

            if (one[0] == (byte)'\n')
            {
                return line.ToString();
            }

            line.Append((char)one[0]);
        }

        throw new IOException("the tunnel's peer sent an overlong greeting");
    }

    public static async Task WriteLineAsync(Stream stream, string line, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
