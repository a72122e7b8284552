using System.Buffers.Binary;

namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>
/// The framing of QEMU's <c>-netdev stream</c> (and <c>-netdev socket</c>): each Ethernet frame is preceded by its length
/// as a 4-byte big-endian integer, nothing else (QEMU 7.2 net/stream.c, <c>net_stream_receive</c>: <c>htonl(size)</c>,
/// then the frame; read back through <c>net_fill_rstate</c>). Checked against this machine's QEMU 7.2.22 (ADR 0052).
/// </summary>
internal static class QemuStreamFraming
{
    public const int HeaderLength = 4;

    public static void WriteHeader(Span<byte> destination, int frameLength) =>
        BinaryPrimitives.WriteUInt32BigEndian(destination, checked((uint)frameLength));

    public static uint ReadHeader(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32BigEndian(source);
}
