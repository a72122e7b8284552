using Microsoft.Extensions.Time.Testing;
using SkillVL.Drivers.Qemu.Networking.Switching;

namespace SkillVL.Drivers.Qemu.Tests.Networking;

/// <summary>The client's user-space switch of stream mode (ADR 0052): learning, flooding, ageing, no hairpin, sizes, isolation.</summary>
public sealed class StreamSwitchTests
{
    private static readonly byte[] MacA = [0x52, 0x54, 0x00, 0, 0, 0x0a];
    private static readonly byte[] MacB = [0x52, 0x54, 0x00, 0, 0, 0x0b];
    private static readonly byte[] MacC = [0x52, 0x54, 0x00, 0, 0, 0x0c];
    private static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    private static readonly byte[] Ipv6AllNodes = [0x33, 0x33, 0, 0, 0, 1];

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void UnknownDestination_IsFloodedToEveryOtherPort()
    {
        var (sw, a, b, relay) = Switch();

        sw.Forward(a, Frame(MacB, MacA));

        Assert.Empty(Drain(a));
        Assert.Single(Drain(b));
        Assert.Single(Drain(relay));
        Assert.Equal(1, sw.Counters.Flooded);
    }

    [Fact]
    public void LearnedDestination_GoesToItsPortOnly()
    {
        var (sw, a, b, relay) = Switch();
        sw.Forward(b, Frame(Broadcast, MacB));
        Drain(a);
        Drain(relay);

        var frame = Frame(MacB, MacA, payload: 7);
        sw.Forward(a, frame);

        Assert.Equal(frame, Assert.Single(Drain(b)));
        Assert.Empty(Drain(relay));
        Assert.Empty(Drain(a));
        Assert.Equal(1, sw.Counters.Forwarded);
    }

    [Fact]
    public void AddressBehindTheRelay_IsLearnedOnTheRelayPort()
    {
        var (sw, a, b, relay) = Switch();
        sw.Forward(relay, Frame(Broadcast, MacC));
        Drain(a);
        Drain(b);

        sw.Forward(a, Frame(MacC, MacA));

        Assert.Single(Drain(relay));
        Assert.Empty(Drain(b));
    }

    [Fact]
    public void BroadcastAndMulticast_AreFloodedEvenWhenTheSourceIsKnown()
    {
        var (sw, a, b, relay) = Switch();
        sw.Forward(b, Frame(Broadcast, MacB));
        sw.Forward(a, Frame(Ipv6AllNodes, MacA));

        Assert.Single(Drain(b));
        Assert.Equal(2, Drain(relay).Count);
        Assert.Single(Drain(a));
        Assert.Equal(2, sw.Counters.Flooded);
    }

    [Fact]
    public void DestinationBehindTheSamePort_IsNeverSentBack()
    {
        var (sw, a, b, relay) = Switch();
        sw.Forward(relay, Frame(Broadcast, MacC));
        Drain(a);
        Drain(b);

        // Another host behind the hub talks to MacC, which is also behind the hub: the frame must not come back out.
        sw.Forward(relay, Frame(MacC, [0x52, 0x54, 0, 0, 0, 0x0d]));

        Assert.Empty(Drain(relay));
        Assert.Empty(Drain(a));
        Assert.Empty(Drain(b));
        Assert.Equal(1, sw.Counters.Filtered);
    }

    [Fact]
    public void LearnedAddress_AgesOut_ThenIsFloodedAgain()
    {
        var (sw, a, b, relay) = Switch(ageing: TimeSpan.FromSeconds(300));
        sw.Forward(b, Frame(Broadcast, MacB));
        Drain(a);
        Drain(relay);

        _time.Advance(TimeSpan.FromSeconds(299));
        sw.Forward(a, Frame(MacB, MacA));
        Assert.Empty(Drain(relay));

        _time.Advance(TimeSpan.FromSeconds(2));
        sw.Forward(a, Frame(MacB, MacA));
        Assert.Single(Drain(relay));
        Assert.Equal(2, Drain(b).Count);
    }

    [Fact]
    public void AddressThatMoves_IsRelearnedOnItsNewPort()
    {
        var (sw, a, b, relay) = Switch();
        sw.Forward(b, Frame(Broadcast, MacB));
        sw.Forward(relay, Frame(Broadcast, MacB));
        Drain(a);
        Drain(b);
        Drain(relay);

        sw.Forward(a, Frame(MacB, MacA));

        Assert.Single(Drain(relay));
        Assert.Empty(Drain(b));
    }

    [Theory]
    [InlineData(13, false)]
    [InlineData(14, true)]
    [InlineData(1450 + 18, true)]
    [InlineData(1450 + 19, false)]
    public void FrameSize_IsLimitedToMtuPlus18(int length, bool passes)
    {
        var (sw, a, b, _) = Switch();
        var frame = new byte[length];
        if (length >= 12)
        {
            Broadcast.CopyTo(frame, 0);
            MacA.CopyTo(frame, 6);
        }

        sw.Forward(a, frame);

        Assert.Equal(passes ? 1 : 0, Drain(b).Count);
        Assert.Equal(passes ? 0 : 1, sw.Counters.BadSize);
    }

    [Fact]
    public void TwoNetworks_ShareNothing()
    {
        var (room1, a1, _, _) = Switch();
        var (room2, a2, b2, relay2) = Switch();

        room1.Forward(a1, Frame(Broadcast, MacB));
        room1.Forward(a1, Frame(MacB, MacA));

        Assert.Empty(Drain(a2));
        Assert.Empty(Drain(b2));
        Assert.Empty(Drain(relay2));

        // MacB was learned in room 1 only: room 2 still floods to it.
        room2.Forward(a2, Frame(MacB, MacA));
        Assert.Single(Drain(b2));
        Assert.Single(Drain(relay2));
        Assert.Equal(2, room1.LearnedAddresses);
        Assert.Equal(1, room2.LearnedAddresses);
    }

    [Fact]
    public void RemovedPort_GetsNothing_AndItsAddressesAreForgotten()
    {
        var (sw, a, b, relay) = Switch();
        sw.Forward(b, Frame(Broadcast, MacB));
        Drain(a);
        Drain(relay);

        sw.RemovePort(b);
        sw.Forward(a, Frame(MacB, MacA));
        sw.Forward(b, Frame(Broadcast, MacB));

        Assert.Single(Drain(relay));
        Assert.Empty(Drain(a));
        Assert.True(b.IsClosed);
        Assert.Equal(1, sw.LearnedAddresses);
    }

    [Fact]
    public void FullPortQueue_DropsAndCounts_OtherPortsStillGetFrames()
    {
        var sw = new StreamSwitch("aaaaaaaaaaaa", 1450, _time);
        var a = sw.AddPort("a");
        var slow = sw.AddPort("slow", queueFrames: 2);
        var b = sw.AddPort("b");

        for (var i = 0; i < 5; i++)
        {
            sw.Forward(a, Frame(Broadcast, MacA));
        }

        Assert.Equal(2, Drain(slow).Count);
        Assert.Equal(3, slow.Dropped);
        Assert.Equal(5, Drain(b).Count);
    }

    [Fact]
    public void MacTable_IsBounded_UnknownBeyondItAreFlooded()
    {
        var sw = new StreamSwitch("aaaaaaaaaaaa", 1450, _time, macCapacity: 2);
        var a = sw.AddPort("a");
        var b = sw.AddPort("b");
        sw.Forward(b, Frame(Broadcast, MacA));
        sw.Forward(b, Frame(Broadcast, MacB));
        sw.Forward(b, Frame(Broadcast, MacC));

        Assert.Equal(2, sw.LearnedAddresses);
        sw.Forward(a, Frame(MacC, [0x52, 0x54, 0, 0, 0, 0x0e]));
        Assert.Equal(1, sw.Counters.Flooded - 3);
    }

    private (StreamSwitch Switch, SwitchPort A, SwitchPort B, SwitchPort Relay) Switch(TimeSpan? ageing = null)
    {
        var sw = new StreamSwitch("aaaaaaaaaaaa", 1450, _time, ageing);
        return (sw, sw.AddPort("a"), sw.AddPort("b"), sw.AddPort("relay"));
    }

    private static byte[] Frame(byte[] destination, byte[] source, byte payload = 0)
    {
        var frame = new byte[60];
        destination.CopyTo(frame, 0);
        source.CopyTo(frame, 6);
        frame[12] = 0x08;
        frame[14] = payload;
        return frame;
    }

    private static List<byte[]> Drain(SwitchPort port)
    {
        var frames = new List<byte[]>();
        while (port.TryDequeue(out var frame))
        {
            frames.Add(frame);
        }

        return frames;
    }
}
