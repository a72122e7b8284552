using System.Buffers.Binary;

namespace SkillVL.Server.Consoles;

/// <summary>
/// The browser-to-guest half of a watch-only VNC console (ADR 0050): passes what a viewer needs to see the screen and
/// drops everything that would act on the guest. It reads the RFB 3.8 client stream (RFC 6143) as it comes, in pieces
/// of any size: the protocol version (12 bytes) and the chosen security type (None only: QEMU's VNC on the node's unix
/// socket has no password), then ClientInit — forced to "shared", so a watcher never disconnects the student — then
/// client messages. Passed: SetPixelFormat, SetEncodings, FramebufferUpdateRequest, EnableContinuousUpdates,
/// ClientFence. Dropped: KeyEvent, PointerEvent, ClientCutText, SetDesktopSize and QEMU's extended key and audio
/// messages. Anything else is refused (<see cref="InvalidDataException"/>): a message we cannot size could hide input.
/// </summary>
public sealed class RfbViewOnlyFilter : IConsoleInputFilter
{
    private const int VersionLength = 12;
    private const byte SecurityNone = 1;

    private enum Phase { Version, Security, ClientInit, Messages }

    private readonly List<byte> _pending = [];
    private Phase _phase = Phase.Version;

    /// <summary>Bytes dropped so far (input the watcher tried to send).</summary>
    public long DroppedBytes { get; private set; }

    /// <summary>Takes the next bytes from the browser; returns those to pass on to the guest's VNC server.</summary>
    public byte[] Filter(ReadOnlySpan<byte> input)
    {
        _pending.AddRange(input);
        var output = new List<byte>(input.Length);
        while (Next() is { } length)
        {
            if (length.Pass)
            {
                output.AddRange(_pending.GetRange(0, length.Bytes));
            }
            else
            {
                DroppedBytes += length.Bytes;
            }

            _pending.RemoveRange(0, length.Bytes);
        }

        return [.. output];
    }

    /// <summary>The next whole unit at the head of the pending bytes and whether it passes; null until it is complete.</summary>
    private (int Bytes, bool Pass)? Next()
    {
        switch (_phase)
        {
            case Phase.Version:
                return Take(VersionLength, Phase.Security);
            case Phase.Security:
                if (_pending.Count < 1)
                {
                    return null;
                }

                if (_pending[0] != SecurityNone)
                {
                    throw new InvalidDataException($"watch-only console: security type {_pending[0]} chosen; only None (1) is relayed");
                }

                return Take(1, Phase.ClientInit);
            case Phase.ClientInit:
                if (_pending.Count < 1)
                {
                    return null;
                }

                _pending[0] = 1; // shared: the student's own session stays
                return Take(1, Phase.Messages);
            default:
                return _pending.Count == 0 ? null : Message();
        }
    }

    private (int, bool)? Take(int bytes, Phase then)
    {
        if (_pending.Count < bytes)
        {
            return null;
        }

        _phase = then;
        return (bytes, true);
    }

    private (int, bool)? Message()
    {
        var type = _pending[0];
        return type switch
        {
            0 => Fixed(20, pass: true),                                  // SetPixelFormat
            2 => Sized(4, at: 2, width: 2, unit: 4, pass: true),         // SetEncodings: u16 count of s32
            3 => Fixed(10, pass: true),                                  // FramebufferUpdateRequest
            4 => Fixed(8, pass: false),                                  // KeyEvent
            5 => Fixed(6, pass: false),                                  // PointerEvent
            6 => CutText(),                                              // ClientCutText
            150 => Fixed(10, pass: true),                                // EnableContinuousUpdates
            248 => Sized(9, at: 8, width: 1, unit: 1, pass: true),       // ClientFence: u8 payload length
            251 => Sized(8, at: 6, width: 1, unit: 16, pass: false),     // SetDesktopSize: u8 count of 16-byte screens
            255 => Qemu(),
            _ => throw new InvalidDataException($"watch-only console: RFB client message type {type} is not relayed"),
        };
    }

    private (int, bool)? Fixed(int bytes, bool pass) => _pending.Count < bytes ? null : (bytes, pass);

    /// <summary>A header of <paramref name="header"/> bytes whose field at <paramref name="at"/> counts units that follow.</summary>
    private (int, bool)? Sized(int header, int at, int width, int unit, bool pass)
    {
        if (_pending.Count < header)
        {
            return null;
        }

        var count = width == 2 ? BinaryPrimitives.ReadUInt16BigEndian([_pending[at], _pending[at + 1]]) : _pending[at];
        return Fixed(header + (count * unit), pass);
    }

    /// <summary>ClientCutText: an s32 length; negative in the extended-clipboard form, whose payload is its absolute value.</summary>
    private (int, bool)? CutText()
    {
        if (_pending.Count < 8)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian([_pending[4], _pending[5], _pending[6], _pending[7]]);
        var payload = length == int.MinValue ? throw new InvalidDataException("watch-only console: a clipboard message of 2 GiB") : Math.Abs(length);
        if (payload > 16 << 20)
        {
            throw new InvalidDataException($"watch-only console: a clipboard message of {payload} bytes");
        }

        return Fixed(8 + payload, pass: false);
    }

    /// <summary>QEMU's client messages (type 255): extended key events (subtype 0) and audio (subtype 1), both dropped.</summary>
    private (int, bool)? Qemu()
    {
        if (_pending.Count < 2)
        {
            return null;
        }

        switch (_pending[1])
        {
            case 0:
                return Fixed(12, pass: false);
            case 1:
                if (_pending.Count < 4)
                {
                    return null;
                }

                var operation = BinaryPrimitives.ReadUInt16BigEndian([_pending[2], _pending[3]]);
                return operation switch
                {
                    0 or 1 => Fixed(4, pass: false),
                    2 => Fixed(10, pass: false),
                    _ => throw new InvalidDataException($"watch-only console: QEMU audio operation {operation} is not relayed"),
                };
            default:
                throw new InvalidDataException($"watch-only console: QEMU client message {_pending[1]} is not relayed");
        }
    }
}
