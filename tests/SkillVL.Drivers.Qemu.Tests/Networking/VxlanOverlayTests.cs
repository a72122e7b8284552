using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.Networking;

/// <summary>
/// The iproute2 calls of the VXLAN overlay (ADR 0007) against a fake ip/bridge that keeps links and FDB
/// entries, and a fake /proc/sys.
/// </summary>
public sealed class VxlanOverlayTests : IDisposable
{
    private const string Net = "aaaaaaaaaaaa";
    private const string Bridge = "svbaaaaaaaaaaaa";
    private const string Vxlan = "svxaaaaaaaaaaaa";
    private const string Missing = "Device \"x\" does not exist.";
    private readonly TempDirectory _root = new("svl-vxlan");
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _fdb = new(StringComparer.Ordinal);
    private readonly FakeCommandRunner _runner;
    private readonly QemuDriverOptions _options;
    private readonly InterfaceSysctls _sysctls;

    public VxlanOverlayTests()
    {
        _options = TestOptions.In(_root.Path, "inst1");
        _sysctls = new InterfaceSysctls(_root.Sub("sys"));
        FakeSysctls(Bridge, isBridge: true);
        FakeSysctls(Vxlan, isBridge: false);
        _runner = new FakeCommandRunner((file, args) =>
        {
            switch (file, args)
            {
                case ("ip", ["-j", "-d", "link", "show", "dev", var name]):
                    return _links.TryGetValue(name, out var json) ? new CommandResult(0, "[" + json + "]", "") : new CommandResult(1, "", Missing);
                case ("ip", ["-j", "-d", "link", "show"]):
                    return new CommandResult(0, "[" + string.Join(',', _links.Values) + "]", "");
                case ("ip", ["link", "del", "dev", var name]):
                    _links.Remove(name);
                    _fdb.Remove(name);
                    return null;
                case ("bridge", ["-j", "fdb", "show", "dev", var name]):
                    var entries = _fdb.GetValueOrDefault(name) ?? [];
                    return new CommandResult(0, "[" + string.Join(',', entries.Select(d => $$"""{"mac":"00:00:00:00:00:00","dst":"{{d}}","flags":["self"],"state":"permanent"}""")) + "]", "");
                default:
                    return null;
            }
        });
    }

    [Fact]
    public async Task Ensure_OverlayOnEmptyNode_CreatesBridgeThenVxlanPortWithOneFloodEntryPerPeer()
    {
        await Networks().EnsureAsync(Spec(4242, "198.18.1.1", "198.18.1.2", "198.18.1.3"), CancellationToken.None);

        Assert.Equal(
            [
                $"ip -j -d link show dev {Bridge}",
                $"ip link add name {Bridge} mtu 1450 type bridge",
                $"ip link set dev {Bridge} mtu 1450 alias skillvl:inst1 up",
                $"ip -j -d link show dev {Vxlan}",
                $"ip link add name {Vxlan} mtu 1450 type vxlan id 4242 local 198.18.1.1 dstport 4789 nolearning",
                $"ip link set dev {Vxlan} master {Bridge} mtu 1450 alias skillvl:inst1 up",
                $"bridge -j fdb show dev {Vxlan}",
                $"bridge fdb append 00:00:00:00:00:00 dev {Vxlan} dst 198.18.1.2",
                $"bridge fdb append 00:00:00:00:00:00 dev {Vxlan} dst 198.18.1.3",
            ],
            _runner.Calls);
        Assert.Equal("1\n", File.ReadAllText(_root.Sub($"sys/net/ipv6/conf/{Vxlan}/disable_ipv6")));
        Assert.Equal("1\n", File.ReadAllText(_root.Sub($"sys/net/ipv6/conf/{Bridge}/disable_ipv6")));
    }

    [Fact]
    public async Task Ensure_Converged_OnlyReads()
    {
        OurBridge();
        OurVxlan(4242, "198.18.1.1", "198.18.1.2", "198.18.1.3");

        await Networks().EnsureAsync(Spec(4242, "198.18.1.1", "198.18.1.3", "198.18.1.2"), CancellationToken.None);

        Assert.Equal(
            [$"ip -j -d link show dev {Bridge}", $"ip -j -d link show dev {Vxlan}", $"bridge -j fdb show dev {Vxlan}"],
            _runner.Calls);
    }

    [Fact]
    public async Task Ensure_PeerMoved_AppendsTheNewPeerBeforeDeletingTheOldOne()
    {
        OurBridge();
        OurVxlan(4242, "198.18.1.1", "198.18.1.2", "198.18.1.3");

        await Networks().EnsureAsync(Spec(4242, "198.18.1.1", "198.18.1.3", "198.18.1.4"), CancellationToken.None);

        Assert.Equal(
            [
                $"ip -j -d link show dev {Bridge}",
                $"ip -j -d link show dev {Vxlan}",
                $"bridge -j fdb show dev {Vxlan}",
                $"bridge fdb append 00:00:00:00:00:00 dev {Vxlan} dst 198.18.1.4",
                $"bridge fdb del 00:00:00:00:00:00 dev {Vxlan} dst 198.18.1.2",
            ],
            _runner.Calls);
    }

    [Fact]
    public async Task Ensure_NoPeersLeft_DeletesEveryFloodEntryButKeepsTheDevice()
    {
        OurBridge();
        OurVxlan(4242, "198.18.1.1", "198.18.1.2");

        await Networks().EnsureAsync(Spec(4242, "198.18.1.1"), CancellationToken.None);

        Assert.Equal($"bridge fdb del 00:00:00:00:00:00 dev {Vxlan} dst 198.18.1.2", _runner.Calls[^1]);
        Assert.DoesNotContain(_runner.Calls, c => c.StartsWith("ip link", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(4243, "198.18.1.1", 4789)]
    [InlineData(4242, "198.18.1.9", 4789)]
    [InlineData(4242, "198.18.1.1", 8472)]
    public async Task Ensure_VniLocalOrPortChanged_RecreatesTheDevice(int vni, string local, int port)
    {
        OurBridge();
        OurVxlan(4242, "198.18.1.1", "198.18.1.2");
        var spec = new NetworkSpec(Net, 1450, new VxlanOverlay(vni, local, ["198.18.1.2"], port));

        await Networks().EnsureAsync(spec, CancellationToken.None);

        Assert.Equal(
            [
                $"ip -j -d link show dev {Bridge}",
                $"ip -j -d link show dev {Vxlan}",
                $"ip link del dev {Vxlan}",
                $"ip link add name {Vxlan} mtu 1450 type vxlan id {vni} local {local} dstport {port} nolearning",
                $"ip link set dev {Vxlan} master {Bridge} mtu 1450 alias skillvl:inst1 up",
                $"bridge -j fdb show dev {Vxlan}",
                $"bridge fdb append 00:00:00:00:00:00 dev {Vxlan} dst 198.18.1.2",
            ],
            _runner.Calls);
    }

    [Fact]
    public async Task Ensure_VxlanThatLearns_IsRecreatedWithNolearning()
    {
        OurBridge();
        OurVxlanWith(4242, "198.18.1.1", ["198.18.1.2"], learning: true);

        await Networks().EnsureAsync(Spec(4242, "198.18.1.1", "198.18.1.2"), CancellationToken.None);

        Assert.Contains($"ip link del dev {Vxlan}", _runner.Calls);
        Assert.Contains(_runner.Calls, c => c.StartsWith($"ip link add name {Vxlan}", StringComparison.Ordinal) && c.EndsWith(" nolearning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ensure_VxlanDetachedFromItsBridge_IsReattached()
    {
        OurBridge();
        OurVxlanWith(4242, "198.18.1.1", ["198.18.1.2"], master: null);

        await Networks().EnsureAsync(Spec(4242, "198.18.1.1", "198.18.1.2"), CancellationToken.None);

        Assert.Contains($"ip link set dev {Vxlan} master {Bridge} mtu 1450 alias skillvl:inst1 up", _runner.Calls);
        Assert.DoesNotContain(_runner.Calls, c => c.Contains(" add ", StringComparison.Ordinal) || c.Contains(" del ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ensure_OverlayDropped_DeletesTheVxlanPortAndKeepsTheBridge()
    {
        OurBridge();
        OurVxlan(4242, "198.18.1.1", "198.18.1.2");

        await Networks().EnsureAsync(new NetworkSpec(Net, 1450), CancellationToken.None);

        Assert.Equal(
            [$"ip -j -d link show dev {Bridge}", $"ip -j -d link show dev {Vxlan}", $"ip link del dev {Vxlan}"],
            _runner.Calls);
    }

    [Fact]
    public async Task Ensure_VxlanOfAnotherInstance_ThrowsAndLeavesIt()
    {
        OurBridge();
        _links[Vxlan] = VxlanLink(4242, "198.18.1.1", "skillvl:other", Bridge, learning: false);

        var error = await Assert.ThrowsAsync<DriverException>(
            () => Networks().EnsureAsync(Spec(4242, "198.18.1.1", "198.18.1.2"), CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.Contains("skillvl:other", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_runner.Calls, c => c.Contains(Vxlan, StringComparison.Ordinal) && !c.StartsWith("ip -j", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, "198.18.1.1", "198.18.1.2", 4789)]
    [InlineData(16777216, "198.18.1.1", "198.18.1.2", 4789)]
    [InlineData(42, "2001:db8::1", "198.18.1.2", 4789)]
    [InlineData(42, "198.18.1.1", "10.1", 4789)]
    [InlineData(42, "198.18.1.1", "not-an-address", 4789)]
    [InlineData(42, "198.18.1.1", "198.18.1.2", 0)]
    [InlineData(42, "198.18.1.1", "198.18.1.2", 65536)]
    public async Task Ensure_InvalidOverlay_ThrowsBeforeAnyCommand(int vni, string local, string peer, int port)
    {
        var spec = new NetworkSpec(Net, 1450, new VxlanOverlay(vni, local, [peer], port));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Networks().EnsureAsync(spec, CancellationToken.None));

        Assert.Contains(Net, error.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public void Normalize_DropsTheLocalAddressAndDuplicates_AndCanonicalisesAddresses()
    {
        var overlay = VxlanDevices.Normalize(Net, new VxlanOverlay(7, "198.18.1.1", ["198.18.1.2", "198.18.1.1", "198.18.1.2", "198.18.1.3"]));

        Assert.Equal("198.18.1.1", overlay.LocalAddress);
        Assert.Equal(["198.18.1.2", "198.18.1.3"], overlay.Peers);
        Assert.Equal(4789, overlay.Port);
    }

    [Fact]
    public async Task Delete_WithOverlay_DeletesTheVxlanPortThenTheBridge()
    {
        OurBridge();
        OurVxlan(4242, "198.18.1.1", "198.18.1.2");

        await Networks().DeleteAsync(Net, CancellationToken.None);

        Assert.Equal(
            [
                $"ip -j -d link show dev {Vxlan}",
                $"ip link del dev {Vxlan}",
                $"ip -j -d link show dev {Bridge}",
                $"ip link del dev {Bridge}",
            ],
            _runner.Calls);
    }

    [Fact]
    public async Task Delete_VxlanOfAnotherInstance_LeavesIt()
    {
        _links[Vxlan] = VxlanLink(4242, "198.18.1.1", "skillvl:other", null, learning: false);

        await Networks().DeleteAsync(Net, CancellationToken.None);

        Assert.DoesNotContain(_runner.Calls, c => c.Contains(" del ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_VxlanWithoutItsBridge_NamesItsNetwork_SoTheOrphanSweepRemovesIt()
    {
        OurVxlanWith(4242, "198.18.1.1", ["198.18.1.2"], master: null);
        _links["svbbbbbbbbbbbbb"] = BridgeLink("svbbbbbbbbbbbbb", "skillvl:inst1");
        _links["svbcccccccccccc"] = BridgeLink("svbcccccccccccc", "skillvl:inst1");
        _links["svxcccccccccccc"] = VxlanLink(7, "198.18.1.1", "skillvl:inst1", "svbcccccccccccc", learning: false, name: "svxcccccccccccc");
        _links["svxdddddddddddd"] = VxlanLink(8, "198.18.1.1", "skillvl:other", null, learning: false, name: "svxdddddddddddd");

        Assert.Equal([Net, "bbbbbbbbbbbb", "cccccccccccc"], await Networks().ListAsync(CancellationToken.None));
    }

    [Fact]
    public void ParseLinks_ReadsVxlanParametersFromRealIpOutput()
    {
        // ip -j -d link show of iproute2 6.1 on kernel 6.x (trimmed).
        const string json = """
            [{"ifindex":3,"ifname":"svxtest00000001","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,"qdisc":"noqueue","master":"svbtest00000001","operstate":"UNKNOWN","linkinfo":{"info_kind":"vxlan","info_data":{"id":42,"local":"198.18.1.1","port_range":{"low":0,"high":0},"port":4789,"learning":false,"ttl":0,"df":"unset","ageing":300,"udp_csum":true},"info_slave_kind":"bridge"},"ifalias":"skillvl:x"}]
            """;

        var link = Assert.Single(IpCommand.ParseLinks(json));

        Assert.Equal(new LinkInfo("svxtest00000001", "skillvl:x", "svbtest00000001", 1450, "vxlan", true, new VxlanLinkInfo(42, "198.18.1.1", 4789, false)), link);
    }

    [Fact]
    public void ParseFloodDestinations_KeepsOnlyTheAllZerosEntries()
    {
        // bridge -j fdb show dev of iproute2 6.1: the bridge's own entry for the port, then two flood entries.
        const string json = """
            [{"mac":"52:20:a9:0b:74:9a","flags":[],"master":"svbtest00000001","state":"permanent"},{"mac":"00:00:00:00:00:00","dst":"198.18.1.2","flags":["self"],"state":"permanent"},{"mac":"00:00:00:00:00:00","dst":"198.18.1.3","flags":["self"],"state":"permanent"}]
            """;

        Assert.Equal(["198.18.1.2", "198.18.1.3"], IpCommand.ParseFloodDestinations(json));
    }

    [Theory]
    [InlineData("ip", "bridge")]
    [InlineData("/usr/sbin/ip", "/usr/sbin/bridge")]
    [InlineData("/opt/iproute2/bin/ip", "/opt/iproute2/bin/bridge")]
    public void BridgeBinary_IsTheOneBesideIp(string ip, string bridge) => Assert.Equal(bridge, IpCommand.BridgeBinaryBeside(ip));

    public void Dispose() => _root.Dispose();

    private static NetworkSpec Spec(int vni, string local, params string[] peers) => new(Net, 1450, new VxlanOverlay(vni, local, peers));

    private static string BridgeLink(string name, string alias) =>
        $$$"""{"ifname":"{{{name}}}","flags":["BROADCAST","UP"],"mtu":1450,"ifalias":"{{{alias}}}","linkinfo":{"info_kind":"bridge"}}""";

    private static string VxlanLink(int vni, string local, string alias, string? master, bool learning, string name = Vxlan, int port = 4789)
    {
        var masterJson = master is null ? "" : $$$""","master":"{{{master}}}" """.TrimEnd();
        var learningJson = learning ? "true" : "false";
        return $$$"""{"ifname":"{{{name}}}","flags":["BROADCAST","UP"],"mtu":1450{{{masterJson}}},"ifalias":"{{{alias}}}","linkinfo":{"info_kind":"vxlan","info_data":{"id":{{{vni}}},"local":"{{{local}}}","port":{{{port}}},"learning":{{{learningJson}}}""" + "}}}";
    }

    private void OurBridge() => _links[Bridge] = BridgeLink(Bridge, "skillvl:inst1");

    private void OurVxlan(int vni, string local, params string[] peers) => OurVxlanWith(vni, local, peers);

    private void OurVxlanWith(int vni, string local, string[] peers, bool learning = false, string? master = Bridge)
    {
        _links[Vxlan] = VxlanLink(vni, local, "skillvl:inst1", master, learning);
        _fdb[Vxlan] = [.. peers];
    }

    private void FakeSysctls(string interfaceName, bool isBridge)
    {
        var keys = isBridge
            ? new[] { $"net/ipv6/conf/{interfaceName}/disable_ipv6", $"net/ipv4/conf/{interfaceName}/forwarding", $"net/ipv4/conf/{interfaceName}/arp_ignore" }
            : [$"net/ipv6/conf/{interfaceName}/disable_ipv6"];
        foreach (var key in keys)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_root.Sub("sys/" + key))!);
            File.WriteAllText(_root.Sub("sys/" + key), "?");
        }
    }

    private LinuxBridgeNetworkDriver Networks() =>
        new(_options, new IpCommand(_options, _runner), _sysctls, NullLogger<LinuxBridgeNetworkDriver>.Instance);
}
