using System.Buffers.Binary;
using System.Text;

namespace SkillVL.Drivers.Qemu.Tests.Templates;

/// <summary>qcow2 headers written byte by byte after qemu docs/interop/qcow2.txt, for the header check's tables.</summary>
internal static class Qcow2Headers
{
    /// <summary>Where a backing file name goes: after the header and its extensions, as qemu-img puts it.</summary>
    private const int BackingNameOffset = 512;

    public static byte[] Make(
        uint version = 3, string? backing = null, uint crypt = 0, ulong incompatible = 0, string? dataFile = null, int length = 1024)
    {
        var bytes = new byte[Math.Max(length, 0)];
        var full = new byte[1024];
        byte[] magic = [0x51, 0x46, 0x49, 0xFB];
        magic.CopyTo(full, 0);
        BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(4), version);
        if (backing is not null)
        {
            var name = Encoding.UTF8.GetBytes(backing);
            BinaryPrimitives.WriteUInt64BigEndian(full.AsSpan(8), BackingNameOffset);
            BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(16), (uint)name.Length);
            name.CopyTo(full, BackingNameOffset);
        }

        BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(20), 16); // 64 KiB clusters
        BinaryPrimitives.WriteUInt64BigEndian(full.AsSpan(24), 1 << 20); // 1 MiB virtual size
        BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(32), crypt);
        if (version >= 3)
        {
            BinaryPrimitives.WriteUInt64BigEndian(full.AsSpan(72), incompatible | (dataFile is null ? 0 : 1UL << 2));
            BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(96), 4); // 16-bit refcounts
            BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(100), 104);
            if (dataFile is not null)
            {
                var name = Encoding.UTF8.GetBytes(dataFile);
                BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(104), 0x44415441);
                BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(108), (uint)name.Length);
                name.CopyTo(full, 112);
            }
        }

        full.AsSpan(0, Math.Min(bytes.Length, full.Length)).CopyTo(bytes);
        return bytes;
    }
}
