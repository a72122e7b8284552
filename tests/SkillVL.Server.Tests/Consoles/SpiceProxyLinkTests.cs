using System.Buffers.Binary;
using System.Security.Cryptography;
using SkillVL.Server.Consoles;

namespace SkillVL.Server.Tests.Consoles;

/// <summary>The .vv proxy's part of the SPICE link (ADR 0062): its key in QEMU's reply, auth selection, the ticket.</summary>
public sealed class SpiceProxyLinkTests
{
    [Fact]
    public void WithPublicKey_ReplacesOnlyTheKey_AndTheClientsTicketDecryptsWithTheProxysKey()
    {
        using var qemu = RSA.Create(1024);
        using var proxy = RSA.Create(1024);
        var reply = Reply(qemu.ExportSubjectPublicKeyInfo(), commonCaps: 0b1011);

        var swapped = SpiceProxyLink.WithPublicKey(reply, proxy.ExportSubjectPublicKeyInfo());

        Assert.Equal(SpiceProxyLink.PublicKeyLength, proxy.ExportSubjectPublicKeyInfo().Length);
        Assert.Equal(proxy.ExportSubjectPublicKeyInfo(), SpiceProxyLink.PublicKey(swapped));
        Assert.Equal(qemu.ExportSubjectPublicKeyInfo(), SpiceProxyLink.PublicKey(reply));
        Assert.Equal(reply[..20], swapped[..20]);
        Assert.Equal(reply[(20 + SpiceProxyLink.PublicKeyLength)..], swapped[(20 + SpiceProxyLink.PublicKeyLength)..]);

        // What a SPICE client does with the key it got: the password and its NUL, RSA-OAEP (SHA-1).
        using var client = RSA.Create();
        client.ImportSubjectPublicKeyInfo(SpiceProxyLink.PublicKey(swapped), out _);
        var encrypted = client.Encrypt([.. "ticket-43-chars"u8, 0], RSAEncryptionPadding.OaepSHA1);
        Assert.Equal(SpiceProxyLink.EncryptedTicketLength, encrypted.Length);
        Assert.Equal("ticket-43-chars", SpiceProxyLink.DecryptTicket(proxy, encrypted));
        Assert.Null(SpiceProxyLink.DecryptTicket(qemu, encrypted)); // not for QEMU's key
        Assert.Null(SpiceProxyLink.DecryptTicket(proxy, new byte[128]));

        // What QEMU gets instead: the empty password, for its own key.
        Assert.Equal("", SpiceProxyLink.DecryptTicket(qemu, SpiceProxyLink.EmptyTicketFor(qemu.ExportSubjectPublicKeyInfo())));
    }

    [Fact]
    public void WithPublicKey_OfAnotherSize_Throws()
    {
        using var big = RSA.Create(2048);
        Assert.Throws<ArgumentException>(() => SpiceProxyLink.WithPublicKey(Reply(new byte[162], 0), big.ExportSubjectPublicKeyInfo()));
    }

    [Theory]
    [InlineData(0b1u, 0b1u, true)]
    [InlineData(0b1u, 0b10u, false)]
    [InlineData(0b10u, 0b1u, false)]
    [InlineData(0u, 0b1u, false)]
    public void AuthSelection_OnlyWhenBothEndsOfferIt(uint clientCaps, uint qemuCaps, bool expected) =>
        Assert.Equal(expected, SpiceProxyLink.AuthSelection(ClientLink(clientCaps), Reply(new byte[162], qemuCaps)));

    [Fact]
    public async Task ReadClientLink_TakesTheWholeLink_RefusesWhatIsNotSpice()
    {
        var link = ClientLink(0b1);
        Assert.Equal(link, await SpiceProxyLink.ReadClientLinkAsync(new MemoryStream([.. link, 9, 9]), CancellationToken.None));
        Assert.Null(await SpiceProxyLink.ReadClientLinkAsync(new MemoryStream("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray()), CancellationToken.None));
        Assert.Null(await SpiceProxyLink.ReadClientLinkAsync(new MemoryStream(link[..30]), CancellationToken.None));
    }

    [Fact]
    public void FileOptions_TakeALoopbackAddressOnly_NamingTheSetting()
    {
        Assert.Equal("127.0.0.1", new SpiceFileOptions().Resolve().ToString());
        Assert.Equal("::1", new SpiceFileOptions { Address = "::1" }.Resolve().ToString());
        var open = Assert.Throws<InvalidOperationException>(() => new SpiceFileOptions { Address = "0.0.0.0" }.Resolve());
        Assert.Contains("SkillVL:SpiceFile:Address: 0.0.0.0 is not a loopback address", open.Message, StringComparison.Ordinal);
        Assert.Contains("is not an IP address", Assert.Throws<InvalidOperationException>(() => new SpiceFileOptions { Address = "localhost" }.Resolve()).Message, StringComparison.Ordinal);
    }

    /// <summary>A SpiceLinkHeader and SpiceLinkReply (no error) with one common caps word.</summary>
    private static byte[] Reply(byte[] key, uint commonCaps)
    {
        var body = new byte[4 + 162 + 12 + 4];
        key.CopyTo(body, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(166), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(174), 178);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(178), commonCaps);
        return [.. "REDQ"u8, 2, 0, 0, 0, 2, 0, 0, 0, (byte)body.Length, 0, 0, 0, .. body];
    }

    private static byte[] ClientLink(uint commonCaps)
    {
        var link = new byte[16 + 22];
        "REDQ"u8.CopyTo(link);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(12), 22);
        link[20] = SpiceLink.MainChannel;
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(30), 18);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(34), commonCaps);
        return link;
    }
}
