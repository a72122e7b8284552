using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Server.Consoles;

namespace SkillVL.Server.Tests.Consoles;

/// <summary>
/// ADR 0056's rules for a SPICE session's channel connections: admitted by the ticket that opened the session, from its
/// address, at most eight, main once on the connection that redeemed the ticket, nothing after the session ended or its last channel closed; a link is
/// read for its channel type, and a watcher gets no inputs channel.
/// </summary>
public sealed class SpiceSessionsTests
{
    private static readonly IPAddress Browser = IPAddress.Parse("192.0.2.10");

    [Fact]
    public void Join_AdmitsTheSameAddress_UpToEightConnections_NotAnotherAddressOrTicket()
    {
        var (registry, spice) = Open();

        Assert.Null(registry.Join("another-ticket", Browser));
        Assert.Null(registry.Join("ticket", IPAddress.Parse("192.0.2.11")));
        Assert.Null(registry.Join("", Browser));
        for (var i = 1; i < SpiceSession.MaxChannels; i++)
        {
            Assert.Same(spice, registry.Join("ticket", Browser));
        }

        Assert.Null(registry.Join("ticket", Browser)); // the ninth
    }

    [Fact]
    public void RefuseLink_MainOnTheRedeemingConnectionOnce_OthersOnlyWithTheSessionIdQemuNamed()
    {
        var (registry, spice) = Open();

        // A channel connection that joined before main was linked (the browser's order need not be the server's).
        var joined = registry.Join("ticket", Browser)!;
        Assert.Contains("out of order", joined.RefuseLink(SpiceLink.DisplayChannel, redeemer: false, 0), StringComparison.Ordinal); // before main
        Assert.Contains("out of order", joined.RefuseLink(SpiceLink.MainChannel, redeemer: false, 0), StringComparison.Ordinal); // not the redeemer
        Assert.Contains("new SPICE session", spice.RefuseLink(SpiceLink.MainChannel, redeemer: true, 7), StringComparison.Ordinal); // joins another
        Assert.Null(spice.RefuseLink(SpiceLink.MainChannel, redeemer: true, 0));
        Assert.Contains("out of order", spice.RefuseLink(SpiceLink.MainChannel, redeemer: true, 0), StringComparison.Ordinal); // once

        // Until QEMU's init named the session, no other channel; then only with that id.
        Assert.Contains("before the main channel named the session", spice.RefuseLink(SpiceLink.DisplayChannel, redeemer: false, 0), StringComparison.Ordinal);
        spice.Named(0x5eed);
        spice.Named(0xbad); // the first name counts
        Assert.Equal(0x5eedu, spice.SessionId);
        Assert.Null(spice.RefuseLink(SpiceLink.DisplayChannel, redeemer: false, 0x5eed));
        Assert.Contains("names another session", spice.RefuseLink(SpiceLink.InputsChannel, redeemer: false, 0xbad), StringComparison.Ordinal);
        Assert.Contains("names another session", spice.RefuseLink(SpiceLink.CursorChannel, redeemer: false, 0), StringComparison.Ordinal);
    }

    [Fact]
    public void TryOpen_OneSessionPerMachine_TheHolderNamed_FreeAgainWhenItCloses()
    {
        var (registry, spice) = Open();

        Assert.Null(registry.TryOpen("second", Grant(), Browser, out var holder)); // a watcher's second client would throw sam out
        Assert.Same(spice, holder);
        Assert.Contains("sam has the SPICE console of r/box open", registry.BusyReason("vm-a", "r/box"), StringComparison.Ordinal);
        Assert.NotNull(registry.TryOpen("other", Grant() with { VmId = "vm-b" }, Browser, out _)); // another machine

        spice.Leave();
        Assert.Null(registry.BusyReason("vm-a", "r/box"));
        Assert.NotNull(registry.TryOpen("third", Grant(), Browser, out _));
    }

    [Fact]
    public void EndedOrClosedSession_AdmitsNothing_AndLeavesTheRegistries()
    {
        var sessions = new ConsoleSessions(NullLogger<ConsoleSessions>.Instance, TimeProvider.System);
        var registry = new SpiceSessions(sessions);
        var ended = registry.TryOpen("ended", Grant(), Browser, out _)!;
        Assert.Equal(1, sessions.EndForMachines(["vm-a"], ConsoleSessions.MachineDeleted));
        Assert.Null(registry.Join("ended", Browser));

        var closed = registry.TryOpen("closed", Grant(), Browser, out _)!;
        var channel = registry.Join("closed", Browser)!;
        closed.Leave();
        Assert.Equal(2, sessions.Count); // the display channel still holds it open
        channel.Leave();
        Assert.Null(registry.Join("closed", Browser));
        ended.Leave();
        Assert.Equal((0, 0), (sessions.Count, registry.Count));
    }

    [Fact]
    public void ChannelType_ReadsTheLink_RefusesWhatIsNotOne()
    {
        byte[] link = [.. "REDQ"u8, 2, 0, 0, 0, 2, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, SpiceLink.InputsChannel, 0];
        Assert.Equal(SpiceLink.InputsChannel, SpiceLink.ChannelType(link));
        Assert.Null(SpiceLink.ChannelType(link.AsSpan(0, 21)));
        Assert.Null(SpiceLink.ChannelType([.. "RFB "u8, .. link.AsSpan(4)]));
        byte[] version3 = [.. link];
        version3[4] = 3;
        Assert.Null(SpiceLink.ChannelType(version3));
        byte[] huge = [.. link];
        huge[14] = 1; // a link message of 64 KiB
        Assert.Null(SpiceLink.ChannelType(huge));

        Assert.Equal(0u, SpiceLink.ConnectionId(link));
        Assert.Equal(34, SpiceLink.TotalLength(link));
        Assert.False(SpiceLink.OffersCommonCapability(link, SpiceLink.MiniHeaderCapability)); // only 22 of its 34 bytes

        Assert.False(SpiceLink.WatcherMayOpen(SpiceLink.InputsChannel));
        Assert.False(SpiceLink.WatcherMayOpen(6)); // record: the microphone, into the guest
        Assert.True(SpiceLink.WatcherMayOpen(SpiceLink.MainChannel) && SpiceLink.WatcherMayOpen(SpiceLink.DisplayChannel));
    }

    private static (SpiceSessions Registry, SpiceSession First) Open()
    {
        var registry = new SpiceSessions(new ConsoleSessions(NullLogger<ConsoleSessions>.Instance, TimeProvider.System));
        return (registry, registry.TryOpen("ticket", Grant(), Browser, out _)!);
    }

    private static ConsoleGrant Grant() => new("u1", "sam", "student", "vm-a", "local", "room=r machine=box", "spice");
}
