using System.Text;
using SkillVL.Server.Consoles;

namespace SkillVL.Server.Tests.Consoles;

/// <summary>
/// A watcher's VNC input (ADR 0050): what noVNC sends to see the screen passes byte for byte, whatever the pieces it comes
/// in; keys, pointer, clipboard, resizing and QEMU's key and audio messages never reach the guest; a message the filter
/// cannot size ends the console.
/// </summary>
public sealed class RfbViewOnlyFilterTests
{
    private static readonly byte[] Handshake = [.. Encoding.ASCII.GetBytes("RFB 003.008\n"), 1, 0]; // None, ClientInit exclusive

    private static readonly byte[] SetPixelFormat = [0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0];
    private static readonly byte[] SetEncodings = [2, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 1, 0xff, 0xff, 0xfe, 0xfc];
    private static readonly byte[] UpdateRequest = [3, 1, 0, 0, 0, 0, 3, 32, 2, 88];
    private static readonly byte[] ContinuousUpdates = [150, 1, 0, 0, 0, 0, 3, 32, 2, 88];
    private static readonly byte[] Fence = [248, 0, 0, 0, 0x80, 0, 0, 3, 2, 0xaa, 0xbb];

    private static readonly byte[] Key = [4, 1, 0, 0, 0, 0, 0, 0x61];
    private static readonly byte[] Pointer = [5, 1, 0, 10, 0, 20];
    private static readonly byte[] CutText = [6, 0, 0, 0, 0, 0, 0, 5, .. Encoding.ASCII.GetBytes("rm -r")];
    private static readonly byte[] ExtendedCutText = [6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 1];
    private static readonly byte[] DesktopSize = [251, 0, 4, 0, 3, 0, 1, 0, .. new byte[16]];
    private static readonly byte[] QemuKey = [255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 30];
    private static readonly byte[] QemuAudioEnable = [255, 1, 0, 0];
    private static readonly byte[] QemuAudioFormat = [255, 1, 0, 2, 3, 2, 0, 0, 0xac, 0x44];

    [Fact]
    public void ViewerMessagesPass_InputIsDropped_ClientInitBecomesShared()
    {
        var filter = new RfbViewOnlyFilter();
        byte[] input = [.. Handshake, .. SetPixelFormat, .. Key, .. SetEncodings, .. Pointer, .. UpdateRequest, .. CutText,
            .. ExtendedCutText, .. ContinuousUpdates, .. DesktopSize, .. QemuKey, .. Fence, .. QemuAudioEnable, .. QemuAudioFormat, .. UpdateRequest];

        var passed = filter.Filter(input);

        byte[] shared = [.. Encoding.ASCII.GetBytes("RFB 003.008\n"), 1, 1];
        Assert.Equal([.. shared, .. SetPixelFormat, .. SetEncodings, .. UpdateRequest, .. ContinuousUpdates, .. Fence, .. UpdateRequest], passed);
        Assert.Equal(Key.Length + Pointer.Length + CutText.Length + ExtendedCutText.Length + DesktopSize.Length + QemuKey.Length
            + QemuAudioEnable.Length + QemuAudioFormat.Length, filter.DroppedBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void PiecesOfAnySize_GiveTheSameBytes(int piece)
    {
        byte[] input = [.. Handshake, .. SetEncodings, .. Key, .. CutText, .. UpdateRequest, .. QemuKey, .. Fence];
        var whole = new RfbViewOnlyFilter().Filter(input);

        var filter = new RfbViewOnlyFilter();
        var pieces = new List<byte>();
        for (var at = 0; at < input.Length; at += piece)
        {
            pieces.AddRange(filter.Filter(input.AsSpan(at, Math.Min(piece, input.Length - at))));
        }

        Assert.Equal(whole, pieces);
        Assert.Equal(Key.Length + CutText.Length + QemuKey.Length, filter.DroppedBytes);
    }

    [Fact]
    public void AKeyCutShort_IsHeldBack_NotPassedInPart()
    {
        var filter = new RfbViewOnlyFilter();
        filter.Filter(Handshake);
        Assert.Empty(filter.Filter(Key.AsSpan(0, 5)));
        Assert.Equal(UpdateRequest, filter.Filter([.. Key.AsSpan(5), .. UpdateRequest]));
    }

    [Theory]
    [InlineData(new byte[] { 7 })]          // no such client message
    [InlineData(new byte[] { 255, 9 })]     // a QEMU message we cannot size
    [InlineData(new byte[] { 255, 1, 0, 9 })] // an unknown audio operation
    public void AMessageItCannotSize_EndsTheConsole(byte[] message)
    {
        var filter = new RfbViewOnlyFilter();
        filter.Filter(Handshake);
        var refused = Assert.Throws<InvalidDataException>(() => filter.Filter(message));
        Assert.StartsWith("watch-only console:", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTheNoneSecurityTypeIsRelayed()
    {
        var filter = new RfbViewOnlyFilter();
        Assert.Throws<InvalidDataException>(() => filter.Filter([.. Encoding.ASCII.GetBytes("RFB 003.008\n"), 2]));
    }

    [Fact]
    public async Task TheStream_PassesTheViewerBytes_AndReadsComeThrough()
    {
        var vncGuest = new MemoryStream();
        await using var vnc = new WatchOnlyStream(vncGuest, new RfbViewOnlyFilter());
        byte[] sent = [.. Handshake, .. Key, .. UpdateRequest];
        await vnc.WriteAsync(sent);
        Assert.Equal([.. Encoding.ASCII.GetBytes("RFB 003.008\n"), 1, 1, .. UpdateRequest], vncGuest.ToArray());
        Assert.Equal(Key.Length, vnc.DroppedBytes);

        await using var screen = new WatchOnlyStream(new MemoryStream(Encoding.ASCII.GetBytes("RFB 003.008\n")), new RfbViewOnlyFilter());
        var buffer = new byte[16];
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(buffer, 0, await screen.ReadAsync(buffer)));
    }
}
