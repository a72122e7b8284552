using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SkillVL.Server.Consoles;

/// <summary>
/// The SPICE link as the .vv proxy (ADR 0062) takes part in it: the client's link passes to QEMU unchanged; QEMU's link
/// reply passes back with the proxy's public key in place of QEMU's, so the client encrypts its password (the file's
/// ticket) for the proxy, which decrypts and checks it, and then sends QEMU the empty password that our VMs' SPICE (ticketing
/// off) takes, encrypted with QEMU's key. Everything after the link passes unchanged.
/// </summary>
internal static class SpiceProxyLink
{
    /// <summary>SPICE's ticket key is RSA-1024: its public key (SubjectPublicKeyInfo, DER) is 162 bytes, an encrypted
    /// ticket 128.</summary>
    public const int PublicKeyLength = 162;

    public const int EncryptedTicketLength = 128;

    /// <summary>SpiceLinkReply's fixed part: error, public key, common and channel caps counts, caps offset.</summary>
    private const int ReplyFixedLength = 4 + PublicKeyLength + 12;

    /// <summary>Common capability 0: the client names its auth mechanism (4 bytes) before the ticket.</summary>
    private const int AuthSelectionCapability = 0;

    /// <summary>SPICE_COMMON_CAP_AUTH_SPICE: the ticket, RSA-encrypted (the only mechanism the proxy speaks; no SASL).</summary>
    public const uint SpiceAuthMechanism = 1;

    /// <summary>SPICE_LINK_ERR_PERMISSION_DENIED, what a client is told when its ticket is wrong, used or expired.</summary>
    public const uint PermissionDenied = 7;

    /// <summary>The whole link a client sent (header and link message), or null when what came is not a SPICE link.</summary>
    public static async Task<byte[]?> ReadClientLinkAsync(Stream client, CancellationToken cancellationToken)
    {
        var head = await ReadExactAsync(client, SpiceLink.Length, cancellationToken);
        if (head is null || SpiceLink.ChannelType(head) is null)
        {
            return null;
        }

        var rest = await ReadExactAsync(client, SpiceLink.TotalLength(head) - SpiceLink.Length, cancellationToken);
        return rest is null ? null : [.. head, .. rest];
    }

    /// <summary>QEMU's link reply (header and reply), or null when it is not one.</summary>
    public static async Task<byte[]?> ReadReplyAsync(Stream console, CancellationToken cancellationToken)
    {
        var header = await ReadExactAsync(console, 16, cancellationToken);
        if (header is null || !header.AsSpan(0, 4).SequenceEqual("REDQ"u8))
        {
            return null;
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        if (size is < ReplyFixedLength or > 4096)
        {
            return null;
        }

        var reply = await ReadExactAsync(console, (int)size, cancellationToken);
        return reply is null ? null : [.. header, .. reply];
    }

    /// <summary>The reply's error code (0: the link is accepted).</summary>
    public static uint Error(ReadOnlySpan<byte> reply) => BinaryPrimitives.ReadUInt32LittleEndian(reply[16..]);

    /// <summary>The public key QEMU's reply carries.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> reply) => reply.Slice(20, PublicKeyLength).ToArray();

    /// <summary>The reply with <paramref name="publicKey"/> (the proxy's) in place of QEMU's.</summary>
    public static byte[] WithPublicKey(ReadOnlySpan<byte> reply, ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeyLength)
        {
            throw new ArgumentException($"a SPICE ticket key is {PublicKeyLength} bytes of SubjectPublicKeyInfo", nameof(publicKey));
        }

        var copy = reply.ToArray();
        publicKey.CopyTo(copy.AsSpan(20));
        return copy;
    }

    /// <summary>Whether both ends offer auth selection, so the client sends its mechanism before the ticket.</summary>
    public static bool AuthSelection(ReadOnlySpan<byte> clientLink, ReadOnlySpan<byte> reply) =>
        SpiceLink.OffersCommonCapability(clientLink, AuthSelectionCapability) && ReplyOffersCommonCapability(reply, AuthSelectionCapability);

    /// <summary>The password a client encrypted for <paramref name="key"/> (up to its NUL), or null when it does not
    /// decrypt.</summary>
    public static string? DecryptTicket(RSA key, byte[] encrypted)
    {
        try
        {
            var plain = key.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1);
            var end = Array.IndexOf(plain, (byte)0);
            return System.Text.Encoding.UTF8.GetString(plain, 0, end < 0 ? plain.Length : end);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The empty password (its NUL) encrypted for QEMU's key: our VMs' SPICE has ticketing off but still reads
    /// one ticket it can decrypt.</summary>
    public static byte[] EmptyTicketFor(byte[] qemuPublicKey)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(qemuPublicKey, out _);
        return rsa.Encrypt([0], RSAEncryptionPadding.OaepSHA1);
    }

    public static byte[] Code(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>Exactly <paramref name="count"/> bytes, or null when the stream ends first.</summary>
    public static async Task<byte[]?> ReadExactAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var read = await stream.ReadAtLeastAsync(buffer, count, throwOnEndOfStream: false, cancellationToken);
        return read == count ? buffer : null;
    }

    private static bool ReplyOffersCommonCapability(ReadOnlySpan<byte> reply, int bit)
    {
        // After the 16-byte header: error, key, common caps count, channel caps count, caps offset (from the reply's start).
        var body = reply[16..];
        if (BinaryPrimitives.ReadUInt32LittleEndian(body[(4 + PublicKeyLength)..]) == 0)
        {
            return false;
        }

        var offset = BinaryPrimitives.ReadUInt32LittleEndian(body[(4 + PublicKeyLength + 8)..]);
        return offset <= body.Length - 4 && (BinaryPrimitives.ReadUInt32LittleEndian(body[(int)offset..]) & (1u << bit)) != 0;
    }
}
