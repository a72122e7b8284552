using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using SkillVL.Server.Consoles;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// The little of a SPICE client the tests need, through the gateway (ADR 0056): the main channel linked and authenticated
/// as spice-html5 does (the empty password RSA-OAEP-encrypted with the key QEMU's link reply carries; our VMs have
/// ticketing off, but QEMU still reads a ticket it can decrypt), read until SPICE_MSG_MAIN_INIT names the session; other
/// channels linked with that session id.
/// </summary>
internal static class SpiceClient
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>A SpiceLinkHeader and SpiceLinkMess for channel 0 of <paramref name="channelType"/>, no capabilities (so
    /// QEMU uses the full 18-byte data header).</summary>
    public static byte[] Link(byte channelType, uint connectionId = 0)
    {
        var link = new byte[16 + 18];
        "REDQ"u8.CopyTo(link);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(4), 2); // major
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(8), 2); // minor
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(12), 18); // size of SpiceLinkMess
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(16), connectionId); // 0: a new session (main)
        link[20] = channelType;
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(30), 18); // caps_offset: right after the message
        return link;
    }

    /// <summary>The session's main channel at <paramref name="url"/>: linked, authenticated, and the session id QEMU gave it.</summary>
    public static async Task<(ClientWebSocket Socket, uint SessionId)> OpenMainAsync(ServerHarness server, string url, Action<string> log)
    {
        var socket = await ConsoleSockets.ConnectAsync(server, url);
        var reader = new Reader(socket);
        await ConsoleSockets.SendAsync(socket, Link(SpiceLink.MainChannel));
        var reply = await ReadReplyAsync(reader, SpiceLink.MainChannel, log);

        using (var rsa = RSA.Create())
        {
            rsa.ImportSubjectPublicKeyInfo(reply.AsSpan(4, 162), out _);
            await ConsoleSockets.SendAsync(socket, rsa.Encrypt([0], RSAEncryptionPadding.OaepSHA1));
        }

        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(await reader.ReadAsync(4))); // SPICE_LINK_ERR_OK
        while (true)
        {
            // Full data header: serial, type, size, sub-list.
            var header = await reader.ReadAsync(18);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8));
            var body = await reader.ReadAsync((int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(10)));
            if (type == SpiceMainInitReader.MainInitMessage)
            {
                var session = BinaryPrimitives.ReadUInt32LittleEndian(body);
                log($"main channel: session id {session}");
                return (socket, session);
            }
        }
    }

    /// <summary>A channel of the session at <paramref name="url"/>, linked with <paramref name="sessionId"/>: QEMU's
    /// SpiceLinkReply came back without error.</summary>
    public static async Task<ClientWebSocket> LinkAsync(ServerHarness server, string url, byte channelType, uint sessionId, Action<string> log)
    {
        var socket = await ConsoleSockets.ConnectAsync(server, url);
        await ConsoleSockets.SendAsync(socket, Link(channelType, sessionId));
        await ReadReplyAsync(new Reader(socket), channelType, log);
        return socket;
    }

    /// <summary>The link reply after its header, checked: version 2, no error.</summary>
    private static async Task<byte[]> ReadReplyAsync(Reader reader, byte channelType, Action<string> log)
    {
        var header = await reader.ReadAsync(16);
        var (major, minor) = (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)), BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)));
        var reply = await reader.ReadAsync((int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12)));
        var error = BinaryPrimitives.ReadUInt32LittleEndian(reply);
        log($"channel {channelType}: {Encoding.ASCII.GetString(header, 0, 4)} {major}.{minor}, error {error}");
        Assert.Equal(("REDQ", 2u, 0u), (Encoding.ASCII.GetString(header, 0, 4), major, error));
        return reply;
    }

    /// <summary>Exact reads over a WebSocket whose messages split the bytes anywhere.</summary>
    private sealed class Reader(ClientWebSocket socket)
    {
        private readonly List<byte> _pending = [];

        public async Task<byte[]> ReadAsync(int count)
        {
            using var limit = new CancellationTokenSource(Bound);
            var buffer = new byte[65536];
            while (_pending.Count < count)
            {
                var result = await socket.ReceiveAsync(buffer, limit.Token);
                Assert.True(result.MessageType != WebSocketMessageType.Close, $"closed: {socket.CloseStatusDescription}");
                _pending.AddRange(buffer.AsSpan(0, result.Count));
            }

            var read = _pending.GetRange(0, count).ToArray();
            _pending.RemoveRange(0, count);
            return read;
        }
    }
}
