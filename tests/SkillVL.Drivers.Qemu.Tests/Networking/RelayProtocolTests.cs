using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Networking.Relay;

namespace SkillVL.Drivers.Qemu.Tests.Networking;

/// <summary>The relay's pure parts (ADR 0019): its records, hello, backoff, spec checks and port names.</summary>
public sealed class RelayProtocolTests
{
    private const string Net = "aaaaaaaaaaaa";

    [Fact]
    public async Task Frames_RoundTrip_KeepaliveIsEmpty()
    {
        using var stream = new MemoryStream();
        var scratch = new byte[2000];
        var frame = Enumerable.Range(0, 1464).Select(i => (byte)i).ToArray();
        RelayProtocol.WriteFrame(stream, frame, scratch);
        RelayProtocol.WriteFrame(stream, [], scratch);
        stream.Position = 0;

        var buffer = new byte[1468];
        Assert.Equal(1464, await RelayProtocol.ReadFrameAsync(stream, buffer, 1468, CancellationToken.None));
        Assert.Equal(frame, buffer[..1464]);
        Assert.Equal(0, await RelayProtocol.ReadFrameAsync(stream, buffer, 1468, CancellationToken.None));
        Assert.Equal(4 + 1464, stream.Length);
    }

    [Fact]
    public async Task Frame_LongerThanTheNetworkCarries_ClosesTheConnection()
    {
        using var stream = new MemoryStream();
        RelayProtocol.WriteFrame(stream, new byte[1469], new byte[2000]);
        stream.Position = 0;

        var error = await Assert.ThrowsAsync<IOException>(() => RelayProtocol.ReadFrameAsync(stream, new byte[1469], 1468, CancellationToken.None));
        Assert.Contains("1469-byte frame", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frame_CutShort_IsEndOfStream()
    {
        using var stream = new MemoryStream([0x05, 0xb8, 1, 2, 3]);

        await Assert.ThrowsAsync<EndOfStreamException>(() => RelayProtocol.ReadFrameAsync(stream, new byte[1468], 1468, CancellationToken.None));
    }

    [Theory]
    [InlineData("SKILLVL-RELAY/1 aaaaaaaaaaaa", "aaaaaaaaaaaa")]
    [InlineData("SKILLVL-RELAY/2 aaaaaaaaaaaa", null)]
    [InlineData("SKILLVL-RELAY/1", null)]
    [InlineData("SKILLVL-RELAY/1 a b", null)]
    [InlineData("GET / HTTP/1.1", null)]
    public void Hello_NamesItsNetwork(string line, string? network)
    {
        Assert.Equal(network, RelayProtocol.NetworkOf(line));
        Assert.Equal("SKILLVL-RELAY/1 " + Net, RelayProtocol.Hello(Net));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(5, 16000)]
    [InlineData(6, 30000)]
    [InlineData(1000, 30000)]
    public void Backoff_DoublesUpToTheBound(int failures, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), new RelayTimings().Backoff(failures));
    }

    public static TheoryData<NetworkSpec, string> BadSpecs => new()
    {
        { new NetworkSpec(Net, 1450, new VxlanOverlay(7, "10.0.0.2", []), new NetworkRelay("10.0.0.1", 7470, "node1")), "never VXLAN as well" },
        { new NetworkSpec(Net, 1450, Relay: new NetworkRelay("10.1", 7470, "node1")), "relay hub address '10.1'" },
        { new NetworkSpec(Net, 1450, Relay: new NetworkRelay("10.0.0.1", 0, "node1")), "relay hub port 0" },
        { new NetworkSpec(Net, 1450, Relay: new NetworkRelay("10.0.0.1", 7470, " ")), "node name is missing" },
        { new NetworkSpec(Net, 1450, RelayHub: new NetworkRelayHub("fe80::1", 7470, ["laptop1"])), "relay listener address 'fe80::1'" },
        { new NetworkSpec(Net, 1450, RelayHub: new NetworkRelayHub("10.0.0.1", 70000, ["laptop1"])), "relay listener port 70000" },
        { new NetworkSpec(Net, 1450, RelayHub: new NetworkRelayHub("10.0.0.1", 7470, ["laptop1", ""])), "empty name" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Validate_BadRelayParts_AreRefusedWithTheReason(NetworkSpec spec, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkRelays.Validate(spec));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains(Net, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ClientAndHubSpecs_Pass()
    {
        NetworkRelays.Validate(new NetworkSpec(Net, 1450, Relay: new NetworkRelay("10.0.0.1", 7470, "node1")));
        NetworkRelays.Validate(new NetworkSpec(Net, 1450, new VxlanOverlay(7, "10.0.0.1", ["10.0.0.2"]), RelayHub: new NetworkRelayHub("10.0.0.1", 7470, ["laptop1"])));
    }

    [Fact]
    public void PortNames_Fit15Characters_AndDifferPerClient()
    {
        Assert.Equal("svr" + Net, InterfaceNames.RelayClientTap(Net));
        var first = InterfaceNames.RelayHubTap(Net, "laptop1");
        var second = InterfaceNames.RelayHubTap(Net, "laptop2");
        Assert.Equal(15, first.Length);
        Assert.StartsWith("svh", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.Equal(first, InterfaceNames.RelayHubTap(Net, "laptop1"));
    }
}
