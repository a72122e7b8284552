using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using SkillVL.Server.Consoles;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// A SPICE client over plain TCP, as remote-viewer reaches the .vv proxy (ADR 0062): a channel's link, the password
/// RSA-OAEP-encrypted with the key the link reply carries (with the auth mechanism first when both ends offer auth
/// selection, as spice-gtk does), the link result; on the main channel, the messages up to SPICE_MSG_MAIN_INIT.
/// </summary>
internal sealed class SpiceTcpClient : IDisposable
{
    /// <summary>Common capabilities 0 (auth selection) and 1 (SPICE's ticket): what spice-gtk offers besides the mini header.</summary>
    public const uint AuthSelectionCaps = 0b11;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly TcpClient _tcp;

    private SpiceTcpClient(TcpClient tcp) => _tcp = tcp;

    public NetworkStream Stream => _tcp.GetStream();

    /// <summary>Links <paramref name="channelType"/> at the port and sends <paramref name="password"/>: the link result (0:
    /// linked; 7: permission denied) and the connected client.</summary>
    public static async Task<(SpiceTcpClient Client, uint Result)> LinkAsync(
        int port, byte channelType, string password, uint connectionId = 0, uint commonCaps = 0)
    {
        using var bound = new CancellationTokenSource(Bound);
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, bound.Token);
        var client = new SpiceTcpClient(tcp);
        await client.Stream.WriteAsync(Link(channelType, connectionId, commonCaps), bound.Token);
        var header = await client.ReadAsync(16, bound.Token);
        Assert.Equal("REDQ", Encoding.ASCII.GetString(header, 0, 4));
        var reply = await client.ReadAsync((int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12)), bound.Token);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(reply)); // the link reply itself is never an error here
        if ((commonCaps & 1) != 0 && (ReplyCommonCaps(reply) & 1) != 0)
        {
            await client.Stream.WriteAsync(BitConverter.GetBytes(1u), bound.Token); // SPICE_COMMON_CAP_AUTH_SPICE
        }

        using (var rsa = RSA.Create())
        {
            rsa.ImportSubjectPublicKeyInfo(reply.AsSpan(4, 162), out _);
            await client.Stream.WriteAsync(rsa.Encrypt([.. Encoding.UTF8.GetBytes(password), 0], RSAEncryptionPadding.OaepSHA1), bound.Token);
        }

        var result = BinaryPrimitives.ReadUInt32LittleEndian(await client.ReadAsync(4, bound.Token));
        return (client, result);
    }

    /// <summary>The main channel's messages (full 18-byte headers: no mini header offered) up to SPICE_MSG_MAIN_INIT: the
    /// session id.</summary>
    public async Task<uint> ReadSessionIdAsync()
    {
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            var header = await ReadAsync(18, bound.Token);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8));
            var body = await ReadAsync((int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(10)), bound.Token);
            if (type == SpiceMainInitReader.MainInitMessage)
            {
                return BinaryPrimitives.ReadUInt32LittleEndian(body);
            }
        }
    }

    /// <summary>Whether the proxy closed the connection (read returns end of stream within the bound).</summary>
    public async Task<bool> ClosedAsync()
    {
        using var bound = new CancellationTokenSource(Bound);
        var buffer = new byte[4096];
        try
        {
            while (await Stream.ReadAsync(buffer, bound.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _tcp.Dispose();

    private static byte[] Link(byte channelType, uint connectionId, uint commonCaps)
    {
        var caps = commonCaps == 0 ? 0 : 1;
        var link = new byte[16 + 18 + (4 * caps)];
        "REDQ"u8.CopyTo(link);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(12), (uint)(18 + (4 * caps)));
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(16), connectionId);
        link[20] = channelType;
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(22), (uint)caps); // common caps count
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(30), 18); // caps offset: right after the message
        if (caps == 1)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(34), commonCaps);
        }

        return link;
    }

    private static uint ReplyCommonCaps(byte[] reply)
    {
        var count = BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(166));
        var offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(174));
        return count == 0 ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(offset));
    }

    private async Task<byte[]> ReadAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await Stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }
}
