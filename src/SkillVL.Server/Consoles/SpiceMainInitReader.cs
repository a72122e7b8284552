using System.Buffers.Binary;

namespace SkillVL.Server.Consoles;

/// <summary>
/// Reads what QEMU sends on a session's main channel until it names the session (ADR 0056): the link reply (SpiceLinkHeader
/// and SpiceLinkReply, whose common capabilities say whether the mini data header is used), the link result, then data
/// messages until SPICE_MSG_MAIN_INIT, whose first word is the session id every other channel of the session must link
/// with. The bytes are only watched, never changed; anything unexpected (an error, a huge message, no init in the first
/// <see cref="MaxWatchedBytes"/>) ends the reading with no session id, and then no other channel is admitted.
/// </summary>
public sealed class SpiceMainInitReader(bool clientOffersMiniHeader)
{
    /// <summary>SPICE_MSG_MAIN_INIT (spice-protocol's enums.h).</summary>
    public const ushort MainInitMessage = 103;

    /// <summary>The init is QEMU's first main-channel message after a ping or two; well before this many bytes.</summary>
    public const int MaxWatchedBytes = 64 * 1024;

    private const int LinkHeaderLength = 16;
    private const int LinkReplyFixedLength = 4 + 162 + 12;

    private enum Stage { LinkHeader, LinkReply, LinkResult, MessageHeader, MessageBody, Done }

    private readonly List<byte> _pending = [];
    private Stage _stage = Stage.LinkHeader;
    private int _need = LinkHeaderLength;
    private int _watched;
    private bool _miniHeader;
    private ushort _messageType;

    /// <summary>The session id, once QEMU's init passed.</summary>
    public uint? SessionId { get; private set; }

    /// <summary>True once reading is over: the session id was found, or the stream was not what a main channel sends.</summary>
    public bool Done => _stage == Stage.Done;

    /// <summary>Watches the next bytes QEMU sent.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty && _stage != Stage.Done)
        {
            var take = Math.Min(bytes.Length, _need - _pending.Count);
            _pending.AddRange(bytes[..take]);
            bytes = bytes[take..];
            _watched += take;
            if (_pending.Count == _need)
            {
                Step([.. _pending]);
                _pending.Clear();
            }

            if (_watched > MaxWatchedBytes && _stage != Stage.Done)
            {
                _stage = Stage.Done;
            }
        }
    }

    private void Step(ReadOnlySpan<byte> part)
    {
        switch (_stage)
        {
            case Stage.LinkHeader:
                var size = BinaryPrimitives.ReadUInt32LittleEndian(part[12..]);
                Next(!part[..4].SequenceEqual("REDQ"u8) || size is < LinkReplyFixedLength or > 4096 ? Stage.Done : Stage.LinkReply, (int)size);
                break;
            case Stage.LinkReply:
                // error, public key, common caps count, channel caps count, caps offset (from the reply's start), caps.
                var commonCaps = BinaryPrimitives.ReadUInt32LittleEndian(part[166..]);
                var offset = BinaryPrimitives.ReadUInt32LittleEndian(part[174..]);
                var serverOffersMini = commonCaps > 0 && offset <= part.Length - 4
                    && (BinaryPrimitives.ReadUInt32LittleEndian(part[(int)offset..]) & (1u << SpiceLink.MiniHeaderCapability)) != 0;
                _miniHeader = clientOffersMiniHeader && serverOffersMini;
                Next(BinaryPrimitives.ReadUInt32LittleEndian(part) != 0 ? Stage.Done : Stage.LinkResult, 4);
                break;
            case Stage.LinkResult:
                Next(BinaryPrimitives.ReadUInt32LittleEndian(part) != 0 ? Stage.Done : Stage.MessageHeader, HeaderLength);
                break;
            case Stage.MessageHeader:
                // Mini: type (2), size (4). Full: serial (8), type (2), size (4), sub-list (4).
                var at = _miniHeader ? 0 : 8;
                _messageType = BinaryPrimitives.ReadUInt16LittleEndian(part[at..]);
                var body = BinaryPrimitives.ReadUInt32LittleEndian(part[(at + 2)..]);
                if (body > MaxWatchedBytes || (_messageType == MainInitMessage && body < 4))
                {
                    Next(Stage.Done, 0);
                }
                else if (body == 0)
                {
                    Next(Stage.MessageHeader, HeaderLength);
                }
                else
                {
                    Next(Stage.MessageBody, (int)body);
                }

                break;
            case Stage.MessageBody:
                if (_messageType == MainInitMessage)
                {
                    SessionId = BinaryPrimitives.ReadUInt32LittleEndian(part);
                    Next(Stage.Done, 0);
                }
                else
                {
                    Next(Stage.MessageHeader, HeaderLength);
                }

                break;
        }
    }

    private int HeaderLength => _miniHeader ? 6 : 18;

    private void Next(Stage stage, int need)
    {
        _stage = stage;
        _need = need;
    }
}
