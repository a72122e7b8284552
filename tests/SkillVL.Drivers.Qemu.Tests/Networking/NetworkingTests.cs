using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.Networking;

/// <summary>The iproute2 calls of the bridge and tap code, against a fake ip and a fake /proc/sys.</summary>
public sealed class NetworkingTests : IDisposable
{
    private const string Missing = "Device \"x\" does not exist.";
    private readonly TempDirectory _root = new("svl-net");
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly FakeCommandRunner _runner;
    private readonly QemuDriverOptions _options;
    private readonly InterfaceSysctls _sysctls;

    public NetworkingTests()
    {
        _options = TestOptions.In(_root.Path, "inst1");
        _sysctls = new InterfaceSysctls(_root.Sub("sys"));
        _runner = new FakeCommandRunner((_, args) =>
        {
            if (args is ["-j", "-d", "link", "show", "dev", var name])
            {
                return _links.TryGetValue(name, out var json) ? new CommandResult(0, "[" + json + "]", "") : new CommandResult(1, "", Missing);
            }

            if (args is ["-j", "-d", "link", "show"])
            {
                return new CommandResult(0, "[" + string.Join(',', _links.Values) + "]", "");
            }

            return null;
        });
    }

    [Fact]
    public async Task EnsureNetwork_Missing_CreatesIsolatedTaggedBridge()
    {
        FakeSysctls("svbaaaaaaaaaaaa");

        await Networks().EnsureAsync(new NetworkSpec("aaaaaaaaaaaa", 1450), CancellationToken.None);

        Assert.Equal(
            [
                "ip -j -d link show dev svbaaaaaaaaaaaa",
                "ip link add name svbaaaaaaaaaaaa mtu 1450 type bridge",
                "ip link set dev svbaaaaaaaaaaaa mtu 1450 alias skillvl:inst1 up",
                // No overlay in the spec: only a check that no VXLAN port is left from an earlier one.
                "ip -j -d link show dev svxaaaaaaaaaaaa",
            ],
            _runner.Calls);
        Assert.Equal("1\n", File.ReadAllText(_root.Sub("sys/net/ipv6/conf/svbaaaaaaaaaaaa/disable_ipv6")));
        Assert.Equal("0\n", File.ReadAllText(_root.Sub("sys/net/ipv4/conf/svbaaaaaaaaaaaa/forwarding")));
        Assert.Equal("8\n", File.ReadAllText(_root.Sub("sys/net/ipv4/conf/svbaaaaaaaaaaaa/arp_ignore")));
    }

    [Fact]
    public async Task EnsureNetwork_AlreadyOursAndUp_DoesNothing()
    {
        _links["svbaaaaaaaaaaaa"] = Link("svbaaaaaaaaaaaa", "skillvl:inst1", "bridge", 1450);

        await Networks().EnsureAsync(new NetworkSpec("aaaaaaaaaaaa", 1450), CancellationToken.None);

        Assert.Equal(["ip -j -d link show dev svbaaaaaaaaaaaa", "ip -j -d link show dev svxaaaaaaaaaaaa"], _runner.Calls);
    }

    [Fact]
    public async Task EnsureNetwork_BridgeOfAnotherInstance_Throws()
    {
        _links["svbaaaaaaaaaaaa"] = Link("svbaaaaaaaaaaaa", "skillvl:other", "bridge", 1450);

        var error = await Assert.ThrowsAsync<DriverException>(
            () => Networks().EnsureAsync(new NetworkSpec("aaaaaaaaaaaa", 1450), CancellationToken.None));

        Assert.Contains("skillvl:other", error.Message, StringComparison.Ordinal);
        Assert.Single(_runner.Calls);
    }

    [Fact]
    public async Task ListNetworks_OnlyBridgesWithOurAlias()
    {
        _links["svbaaaaaaaaaaaa"] = Link("svbaaaaaaaaaaaa", "skillvl:inst1", "bridge", 1450);
        _links["svbbbbbbbbbbbbb"] = Link("svbbbbbbbbbbbbb", "skillvl:other", "bridge", 1450);
        _links["svbcccccccccccc"] = Link("svbcccccccccccc", null, "bridge", 1450);
        _links["svt000000000001"] = Link("svt000000000001", "skillvl:inst1", "tun", 1450);
        _links["eth0"] = Link("eth0", null, null, 1500);

        Assert.Equal(["aaaaaaaaaaaa"], await Networks().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DeleteNetwork_NotOurs_LeavesIt()
    {
        _links["svbaaaaaaaaaaaa"] = Link("svbaaaaaaaaaaaa", "skillvl:other", "bridge", 1450);

        await Networks().DeleteAsync("aaaaaaaaaaaa", CancellationToken.None);

        Assert.DoesNotContain(_runner.Calls, c => c.Contains(" del ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeleteNetwork_Missing_IsIdempotent()
    {
        await Networks().DeleteAsync("aaaaaaaaaaaa", CancellationToken.None);

        Assert.Equal(["ip -j -d link show dev svxaaaaaaaaaaaa", "ip -j -d link show dev svbaaaaaaaaaaaa"], _runner.Calls);
    }

    [Fact]
    public async Task EnsureTap_BridgeMissing_ThrowsTransientNamingTheNetwork()
    {
        var error = await Assert.ThrowsAsync<DriverException>(
            () => Taps().EnsureAsync("000000000001", "aaaaaaaaaaaa", 1450, CancellationToken.None));

        Assert.True(error.IsTransient);
        Assert.Contains("aaaaaaaaaaaa", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureTap_CreatesPersistentTapOnTheBridge()
    {
        _links["svbaaaaaaaaaaaa"] = Link("svbaaaaaaaaaaaa", "skillvl:inst1", "bridge", 1450);
        FakeSysctls("svt000000000001");

        await Taps().EnsureAsync("000000000001", "aaaaaaaaaaaa", 1450, CancellationToken.None);

        Assert.Equal(
            [
                "ip -j -d link show dev svbaaaaaaaaaaaa",
                "ip -j -d link show dev svt000000000001",
                "ip tuntap add dev svt000000000001 mode tap",
                "ip link set dev svt000000000001 master svbaaaaaaaaaaaa mtu 1450 alias skillvl:inst1 up",
            ],
            _runner.Calls);
        Assert.Equal("1\n", File.ReadAllText(_root.Sub("sys/net/ipv6/conf/svt000000000001/disable_ipv6")));
    }

    [Fact]
    public async Task DeleteTap_Ours_DeletesIt_Missing_IsFine()
    {
        _links["svt000000000001"] = Link("svt000000000001", "skillvl:inst1", "tun", 1450);

        await Taps().DeleteAsync("000000000001", CancellationToken.None);
        await Taps().DeleteAsync("000000000002", CancellationToken.None);

        Assert.Contains("ip link del dev svt000000000001", _runner.Calls);
        Assert.DoesNotContain("ip link del dev svt000000000002", _runner.Calls);
    }

    [Fact]
    public void ParseLinks_ReadsRealIpOutput()
    {
        const string json = """
            [{"ifindex":6,"ifname":"svttest000001","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"mtu":1450,"qdisc":"pfifo_fast","master":"svbtest000001","operstate":"DOWN","linkinfo":{"info_kind":"tun","info_data":{"type":"tap","pi":false,"vnet_hdr":false,"multi_queue":false,"persist":true},"info_slave_kind":"bridge"},"ifalias":"skillvl:probe"},
             {"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536}]
            """;

        var links = IpCommand.ParseLinks(json);

        Assert.Equal(new LinkInfo("svttest000001", "skillvl:probe", "svbtest000001", 1450, "tun", true), links[0]);
        Assert.Equal(new LinkInfo("lo", null, null, 65536, null, true), links[1]);
    }

    public void Dispose() => _root.Dispose();

    private static string Link(string name, string? alias, string? kind, int mtu) =>
        $$"""{"ifname":"{{name}}","flags":["BROADCAST","UP"],"mtu":{{mtu}}{{(alias is null ? "" : $",\"ifalias\":\"{alias}\"")}}{{(kind is null ? "" : $",\"linkinfo\":{{\"info_kind\":\"{kind}\"}}")}}}""";

    private void FakeSysctls(string interfaceName)
    {
        foreach (var key in new[] { $"net/ipv6/conf/{interfaceName}/disable_ipv6", $"net/ipv4/conf/{interfaceName}/forwarding", $"net/ipv4/conf/{interfaceName}/arp_ignore" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_root.Sub("sys/" + key))!);
            File.WriteAllText(_root.Sub("sys/" + key), "?");
        }
    }

    private LinuxBridgeNetworkDriver Networks() =>
        new(_options, new IpCommand(_options, _runner), _sysctls, NullLogger<LinuxBridgeNetworkDriver>.Instance);

    private TapDevices Taps() => new(_options, new IpCommand(_options, _runner), _sysctls, NullLogger<TapDevices>.Instance);
}
