using System.Buffers.Binary;

namespace SkillVL.Server.Consoles;

/// <summary>
/// The start of what a SPICE client sends on each channel's connection (SpiceLinkHeader, then SpiceLinkMess): the magic
/// "REDQ", the protocol version, the message's size, then the session's connection id and the channel's type and id. The
/// gateway reads it before anything reaches QEMU to know which channel a connection opens (ADR 0056).
/// </summary>
public static class SpiceLink
{
    /// <summary>Header (16 bytes: magic, major, minor, size) and the link message's connection id, channel type and id.</summary>
    public const int Length = 22;

    public const byte MainChannel = 1;
    public const byte DisplayChannel = 2;
    public const byte InputsChannel = 3;
    public const byte CursorChannel = 4;
    public const byte PlaybackChannel = 5;

    /// <summary>Common capability bit: both ends use the 6-byte mini data header (type, size) instead of the 18-byte one.</summary>
    public const int MiniHeaderCapability = 3;

    /// <summary>The whole link (header and link message) of a link whose first <see cref="Length"/> bytes are valid.</summary>
    public static int TotalLength(ReadOnlySpan<byte> link) => 16 + (int)BinaryPrimitives.ReadUInt32LittleEndian(link[12..]);

    /// <summary>The link's connection id: 0 for a new session's main channel, the session id QEMU gave that main channel
    /// (SPICE_MSG_MAIN_INIT) for every other channel of the session.</summary>
    public static uint ConnectionId(ReadOnlySpan<byte> link) => BinaryPrimitives.ReadUInt32LittleEndian(link[16..]);

    /// <summary>Whether a whole link (<see cref="TotalLength"/> bytes) offers the common capability <paramref name="bit"/>.</summary>
    public static bool OffersCommonCapability(ReadOnlySpan<byte> link, int bit)
    {
        // SpiceLinkMess after the 16-byte header: connection id, type, id, common caps count, channel caps count, caps
        // offset (from the link message's start), then the caps.
        var message = link[16..];
        if (message.Length < 18 || BinaryPrimitives.ReadUInt32LittleEndian(message[6..]) == 0)
        {
            return false;
        }

        var offset = BinaryPrimitives.ReadUInt32LittleEndian(message[14..]);
        return offset <= message.Length - 4 && (BinaryPrimitives.ReadUInt32LittleEndian(message[(int)offset..]) & (1u << bit)) != 0;
    }

    /// <summary>The channel type of a link's first <see cref="Length"/> bytes, or null when they are not a SPICE link.</summary>
    public static byte? ChannelType(ReadOnlySpan<byte> link)
    {
        if (link.Length < Length || !link[..4].SequenceEqual("REDQ"u8) || BinaryPrimitives.ReadUInt32LittleEndian(link[4..]) != 2)
        {
            return null;
        }

        // The link message is small (its capabilities are a few words); a huge size is not a SPICE client's.
        var size = BinaryPrimitives.ReadUInt32LittleEndian(link[12..]);
        return size is < 6 or > 4096 ? null : link[20];
    }

    /// <summary>
    /// Whether a watcher (ADR 0050) may open the channel: only those that carry what the guest shows. Inputs (keyboard and
    /// mouse) is refused; so is every channel that carries data into the guest (record, USB redirection, smart card,
    /// ports), though QEMU offers none of them on our VMs. The main channel's agent messages (clipboard) reach nothing: our
    /// VMs have no SPICE agent port.
    /// </summary>
    public static bool WatcherMayOpen(byte channelType) =>
        channelType is MainChannel or DisplayChannel or CursorChannel or PlaybackChannel;
}
