using System.Net.Sockets;
using System.Text;

namespace SkillVL.Agent.Local;

/// <summary>
/// One newline-terminated line on a socket, read a byte at a time: nothing past the newline is consumed, because after
/// a console's answer line the same socket carries the console's raw bytes.
/// </summary>
public static class LineIo
{
    /// <summary>Longest line accepted; a request or an answer with a list of VMs fits many times over.</summary>
    public const int MaxLineBytes = 1 << 20;

    public static async Task<string?> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new List<byte>(256);
        var one = new byte[1];
        while (true)
        {
            var read = await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return line.Count == 0 ? null : throw new IOException("The other side closed the connection in the middle of a line.");
            }

            if (one[0] == (byte)'\n')
            {
                return Encoding.UTF8.GetString(line.ToArray());
            }

            if (line.Count >= MaxLineBytes)
            {
                throw new IOException($"A line longer than {MaxLineBytes} bytes.");
            }

            line.Add(one[0]);
        }
    }

    public static async Task WriteLineAsync(Socket socket, string line, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken);
        }
    }
}
