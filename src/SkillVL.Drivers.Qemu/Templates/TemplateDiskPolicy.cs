using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SkillVL.Drivers.Qemu.Templates;

/// <summary>
/// Whether a disk may be a template: one standalone, unencrypted, consistent qcow2 of sane size that references
/// nothing outside itself. A template is the backing file of every machine made from it and QEMU opens whatever a
/// qcow2 names (a backing file, a <c>json:</c> block graph, an external data file) with the rights of the node, so
/// such a disk would hand a guest the bytes of a host file (issue 11, finding 1). Pure: the caller supplies the
/// file's first bytes and what <c>qemu-img</c> printed; each method answers the problem (phrased to follow the word
/// "disk") or null when there is none.
/// </summary>
public static class TemplateDiskPolicy
{
    /// <summary>Bytes of the file's start the header check wants: the header, its extensions and a backing file name
    /// (QEMU keeps them in the first cluster; 64 KiB is the default cluster size).</summary>
    public const int HeadBytes = 64 * 1024;

    /// <summary>"QFI\xfb": the first four bytes of every qcow2 image (qemu docs/interop/qcow2.txt, "magic").</summary>
    public static ReadOnlySpan<byte> Qcow2Magic => [0x51, 0x46, 0x49, 0xFB];

    /// <summary>qcow2 header v2 ends at byte 72; v3 adds the feature bits and is at least 104 bytes
    /// (qemu docs/interop/qcow2.txt).</summary>
    private const int V2HeaderBytes = 72;
    private const int V3HeaderBytes = 104;

    /// <summary>Incompatible feature bits (qcow2.txt): 0 dirty, 1 corrupt, 2 external data file, 3 compression type,
    /// 4 extended L2 entries. Higher bits are features this policy does not know.</summary>
    private const ulong CorruptBit = 1UL << 1;
    private const ulong DataFileBit = 1UL << 2;
    private const ulong KnownIncompatibleBits = (1UL << 5) - 1;

    /// <summary>Header extension "external data file name" (qcow2.txt: 0x44415441, "DATA").</summary>
    private const uint DataFileExtension = 0x44415441;

    private const string Standalone =
        "a template must be one standalone qcow2 (flatten it first: qemu-img convert -O qcow2 IN.qcow2 OUT.qcow2)";

    /// <summary>
    /// Checks the qcow2 header itself, before any tool opens the file: a backing file or an external data file is
    /// refused here, so <c>qemu-img</c> never gets to open what the image names (as root, that could be any host
    /// file or, through <c>json:</c>, any block driver; CVE-2024-4467 was exactly that in <c>qemu-img info</c>).
    /// </summary>
    /// <param name="head">The first bytes of the file (up to <see cref="HeadBytes"/>).</param>
    public static string? CheckHeader(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4 || !head[..4].SequenceEqual(Qcow2Magic))
        {
            return "is not a qcow2 image (it does not start with the qcow2 magic QFI\\xfb).";
        }

        if (head.Length < V2HeaderBytes)
        {
            return $"is not a qcow2 image: its {head.Length} bytes are too few for a qcow2 header.";
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(head[4..]);
        if (version is not (2 or 3))
        {
            return $"is corrupt or no qcow2 image: its header says qcow2 version {version}; only 2 and 3 exist.";
        }

        var backingOffset = BinaryPrimitives.ReadUInt64BigEndian(head[8..]);
        var backingLength = BinaryPrimitives.ReadUInt32BigEndian(head[16..]);
        if (backingOffset != 0)
        {
            return $"has a backing file ({Text(head, backingOffset, backingLength)}); {Standalone}.";
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(head[32..]) is not 0 and var crypt)
        {
            return $"is encrypted (qcow2 encryption method {crypt}); a template must not be encrypted.";
        }

        if (version == 2)
        {
            return null;
        }

        if (head.Length < V3HeaderBytes)
        {
            return $"is corrupt: its {head.Length} bytes are too few for a qcow2 version 3 header.";
        }

        var incompatible = BinaryPrimitives.ReadUInt64BigEndian(head[72..]);
        if ((incompatible & DataFileBit) != 0)
        {
            return $"has an external data file ({DataFileName(head) ?? "name not in the header"}); {Standalone}.";
        }

        if ((incompatible & CorruptBit) != 0)
        {
            return "is marked corrupt in its qcow2 header.";
        }

        if ((incompatible & ~KnownIncompatibleBits) != 0)
        {
            return $"uses unknown incompatible qcow2 features (0x{incompatible:x}).";
        }

        return null;
    }

    /// <summary>
    /// Checks <c>qemu-img info --output=json --backing-chain</c> of the disk: exactly one image, format qcow2, no
    /// backing file, no data file, no encryption, not marked corrupt, a virtual size from 1 byte to
    /// <paramref name="maxVirtualSizeBytes"/>.
    /// </summary>
    public static string? CheckInfo(string infoJson, long maxVirtualSizeBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(infoJson);
        }
        catch (JsonException e)
        {
            return $"could not be inspected: qemu-img info printed no JSON ({e.Message}).";
        }

        using (document)
        {
            var root = document.RootElement;
            var chain = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
            if (chain.Count != 1)
            {
                return $"has a backing chain of {chain.Count} images; {Standalone}.";
            }

            var image = chain[0];
            if (image.ValueKind != JsonValueKind.Object)
            {
                return "could not be inspected: qemu-img info printed no image.";
            }

            var format = String(image, "format");
            if (format != "qcow2")
            {
                return $"is a {format ?? "unknown"} image, not qcow2.";
            }

            if ((String(image, "full-backing-filename") ?? String(image, "backing-filename")) is { } backing)
            {
                return $"has a backing file ({backing}); {Standalone}.";
            }

            var specific = image.TryGetProperty("format-specific", out var s) && s.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
                ? d
                : default;
            if (specific.ValueKind == JsonValueKind.Object && specific.TryGetProperty("data-file", out var dataFile))
            {
                return $"has an external data file ({dataFile}); {Standalone}.";
            }

            if ((image.TryGetProperty("encrypted", out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
                || (specific.ValueKind == JsonValueKind.Object && specific.TryGetProperty("encrypt", out _)))
            {
                return "is encrypted; a template must not be encrypted.";
            }

            if (specific.ValueKind == JsonValueKind.Object && specific.TryGetProperty("corrupt", out var corrupt) && corrupt.ValueKind == JsonValueKind.True)
            {
                return "is marked corrupt in its qcow2 header.";
            }

            if (!image.TryGetProperty("virtual-size", out var sizeElement) || !sizeElement.TryGetInt64(out var size) || size <= 0)
            {
                return "has no virtual size qemu-img could read.";
            }

            if (size > maxVirtualSizeBytes)
            {
                return $"has a virtual size of {Size(size)}, more than a template may have ({Size(maxVirtualSizeBytes)}).";
            }

            return null;
        }
    }

    /// <summary>
    /// Checks <c>qemu-img check --output=json</c>: exit 0 is consistent, exit 3 only leaked clusters (space lost,
    /// nothing read wrong); 2 means corruptions, anything else that the check itself could not finish.
    /// </summary>
    public static string? CheckConsistency(int exitCode, string checkJson, string standardError)
    {
        long corruptions = 0;
        try
        {
            using var document = JsonDocument.Parse(checkJson.Length == 0 ? "{}" : checkJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("corruptions", out var count) && count.TryGetInt64(out var n))
            {
                corruptions = n;
            }
        }
        catch (JsonException)
        {
            // A check that could not run prints its reason on stderr, not JSON; the exit code decides below.
        }

        return exitCode switch
        {
            0 or 3 when corruptions == 0 => null,
            0 or 2 or 3 => $"is corrupt: qemu-img check found {Math.Max(corruptions, 1)} corruption(s) in its qcow2 metadata.",
            _ => $"is corrupt or no qcow2 image: qemu-img check could not check it ({FirstLine(standardError)}).",
        };
    }

    /// <summary>The first line of a tool's message, without its own program-name prefix.</summary>
    public static string FirstLine(string message)
    {
        var line = message.Trim().Split('\n', 2)[0].Trim();
        return line.StartsWith("qemu-img: ", StringComparison.Ordinal) ? line["qemu-img: ".Length..] : line.Length == 0 ? "no message" : line;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Size(long bytes) =>
        bytes >= 1L << 30
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB ({bytes} bytes)")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    /// <summary>The external data file's name from its header extension, or null when it is not in <paramref name="head"/>.</summary>
    private static string? DataFileName(ReadOnlySpan<byte> head)
    {
        var offset = (long)BinaryPrimitives.ReadUInt32BigEndian(head[100..]);
        // Each extension: type (4), length (4), data padded to 8; type 0 ends the list. Bounded by the bytes we have.
        while (offset + 8 <= head.Length)
        {
            var type = BinaryPrimitives.ReadUInt32BigEndian(head[(int)offset..]);
            var length = BinaryPrimitives.ReadUInt32BigEndian(head[(int)(offset + 4)..]);
            if (type == 0)
            {
                return null;
            }

            if (type == DataFileExtension)
            {
                return Text(head, (ulong)offset + 8, length);
            }

            offset += 8 + ((length + 7L) & ~7L);
        }

        return null;
    }

    /// <summary>A name stored in the header, printable and bounded, for the refusal's message.</summary>
    private static string Text(ReadOnlySpan<byte> head, ulong offset, uint length)
    {
        if (offset >= (ulong)head.Length || length == 0)
        {
            return "name not in the header";
        }

        var take = (int)Math.Min(Math.Min(length, 200u), (ulong)head.Length - offset);
        var text = Encoding.UTF8.GetString(head.Slice((int)offset, take));
        return new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray()) + (length > take ? "…" : "");
    }
}
