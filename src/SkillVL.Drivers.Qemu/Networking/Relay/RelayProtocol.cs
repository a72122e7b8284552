using System.Buffers.Binary;
using SkillVL.Drivers.Qemu.Migration.Tunnel;

namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// What crosses a relay connection after TLS (ADR 0019). The client sends one line, <c>SKILLVL-RELAY/1 &lt;network
/// id&gt;</c>; the hub answers <c>OK</c> or <c>ERR &lt;reason&gt;</c> (the greeting lines of the migration tunnel,
/// <see cref="TunnelGreeting"/>). Then both ways the same records: a 2-byte big-endian length and that many bytes of
/// one Ethernet frame, as the tap gave it (no FCS, no preamble). Length 0 is a keepalive. TCP keeps the frames in
/// order and whole, so nothing is fragmented: the room's MTU is the guests' MTU, as on the bridge.
/// </summary>
internal static class RelayProtocol
{
    public const string Version = "SKILLVL-RELAY/1";

    /// <summary>The answer that attaches the connection to the network.</summary>
    public const string Accepted = "OK";

    /// <summary>Ethernet header (14 bytes) on top of the network's MTU, plus 4 for one 802.1Q tag a guest may add.</summary>
    public const int FrameOverhead = 18;

    /// <summary>The hello line a client sends.</summary>
    public static string Hello(string networkId) => $"{Version} {networkId}";

    /// <summary>The network a hello line names, or null when it is not a hello of this version.</summary>
    public static string? NetworkOf(string line)
    {
        var words = line.Split(' ');
        return words.Length == 2 && words[0] == Version ? words[1] : null;
    }

    /// <summary>Writes the 2-byte length of a record at the start of <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, int frameLength) =>
        BinaryPrimitives.WriteUInt16BigEndian(destination, checked((ushort)frameLength));

    /// <summary>Writes one record (a frame, or a keepalive when <paramref name="frame"/> is empty).</summary>
    public static void WriteFrame(Stream stream, ReadOnlySpan<byte> frame, Span<byte> scratch)
    {
        WriteHeader(scratch, frame.Length);
        frame.CopyTo(scratch[2..]);
        stream.Write(scratch[..(2 + frame.Length)]);
        stream.Flush();
    }

    /// <summary>
    /// Reads records from <paramref name="stream"/> and hands each frame to <paramref name="deliver"/> (its buffer and
    /// length; the buffer is reused) until the peer closes it, it is idle for <paramref name="idleTimeout"/> (every record,
    /// keepalives included, proves the peer alive), or <paramref name="cancellationToken"/> fires. A broken connection is
    /// the normal end, not an exception.
    /// </summary>
    /// <returns>Why the connection ended.</returns>
    public static async Task<string> ReceiveFramesAsync(
        Stream stream, int maxFrame, TimeSpan idleTimeout, Action<byte[], int> deliver, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxFrame];
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                idle.CancelAfter(idleTimeout);
                var length = await ReadFrameAsync(stream, buffer, maxFrame, idle.Token);
                if (length > 0)
                {
                    deliver(buffer, length);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"nothing received for {idleTimeout.TotalSeconds:0.#} s";
        }
        catch (OperationCanceledException)
        {
            return "stopped";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            return e is EndOfStreamException ? "the peer closed the connection" : e.Message;
        }
    }

    /// <summary>Reads one record into <paramref name="buffer"/>; returns its length (0: keepalive).</summary>
    /// <exception cref="IOException">The peer closed the connection, or sent a record longer than <paramref name="maxFrame"/>.</exception>
    public static async Task<int> ReadFrameAsync(Stream stream, Memory<byte> buffer, int maxFrame, CancellationToken cancellationToken)
    {
        await stream.ReadExactlyAsync(buffer[..2], cancellationToken);
        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer.Span);
        if (length > maxFrame)
        {
            throw new IOException($"the relay peer sent a {length}-byte frame; the network's largest is {maxFrame} bytes");
        }

        await stream.ReadExactlyAsync(buffer[..length], cancellationToken);
        return length;
    }
}
