using System.Buffers.Binary;
using SkillVL.Server.Consoles;

namespace SkillVL.Server.Tests.Consoles;

/// <summary>
/// ADR 0056: the gateway reads the session id from what QEMU sends on the main channel — the link reply, the link result,
/// then messages with the mini or the full header until SPICE_MSG_MAIN_INIT — however the bytes are split, and gives up
/// (no id: no other channel is admitted) on an error or a stream that is not a main channel's.
/// </summary>
public sealed class SpiceMainInitReaderTests
{
    [Theory]
    [InlineData(true, true, 1)]
    [InlineData(true, true, 7)]
    [InlineData(false, true, 3)] // the client did not offer the mini header: the full one
    [InlineData(true, false, 5)] // QEMU did not: the full one
    [InlineData(false, false, 100000)]
    public void FindsTheSessionId_AfterOtherMessages_HoweverTheBytesAreSplit(bool clientMini, bool serverMini, int chunk)
    {
        var mini = clientMini && serverMini;
        byte[] stream = [.. Reply(error: 0, serverMini), .. U32(0), .. Message(mini, 4, new byte[8]), .. Message(mini, 3, []), .. Message(mini, SpiceMainInitReader.MainInitMessage, [.. U32(0xC0FFEE), .. new byte[28]])];
        var reader = new SpiceMainInitReader(clientMini);

        for (var at = 0; at < stream.Length; at += chunk)
        {
            reader.Feed(stream.AsSpan(at, Math.Min(chunk, stream.Length - at)));
        }

        Assert.True(reader.Done);
        Assert.Equal(0xC0FFEEu, reader.SessionId);
    }

    [Fact]
    public void GivesUp_OnALinkError_AFailedLink_OrWhatIsNoMainChannel()
    {
        Assert.Null(Read([.. Reply(error: 5, true), .. U32(0), .. Message(true, 103, U32(1))]));
        Assert.Null(Read([.. Reply(error: 0, true), .. U32(7), .. Message(true, 103, U32(1))]));
        Assert.Null(Read([.. "RFB 003.008\n"u8, .. new byte[300]]));

        // A message too big for a main channel's start, and a stream with no init in its first 64 KiB.
        Assert.Null(Read([.. Reply(0, true), .. U32(0), .. Message(true, 4, new byte[SpiceMainInitReader.MaxWatchedBytes + 1])]));
        var pings = Enumerable.Range(0, 70).SelectMany(_ => Message(true, 4, new byte[1000])).ToArray();
        Assert.Null(Read([.. Reply(0, true), .. U32(0), .. pings, .. Message(true, 103, U32(1))]));
    }

    private static uint? Read(byte[] stream)
    {
        var reader = new SpiceMainInitReader(clientOffersMiniHeader: true);
        reader.Feed(stream);
        Assert.True(reader.Done);
        return reader.SessionId;
    }

    /// <summary>SpiceLinkHeader and SpiceLinkReply: error, a 162-byte key, one common and no channel capability.</summary>
    private static byte[] Reply(uint error, bool mini)
    {
        byte[] reply = [.. U32(error), .. new byte[162], .. U32(1), .. U32(0), .. U32(178), .. U32(mini ? 1u << SpiceLink.MiniHeaderCapability | 1 : 1)];
        return [.. "REDQ"u8, .. U32(2), .. U32(2), .. U32((uint)reply.Length), .. reply];
    }

    private static byte[] Message(bool mini, ushort type, byte[] body)
    {
        var typeBytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(typeBytes, type);
        return mini
            ? [.. typeBytes, .. U32((uint)body.Length), .. body]
            : [.. new byte[8], .. typeBytes, .. U32((uint)body.Length), .. U32(0), .. body];
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
