using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking.Routers;

namespace SkillVL.Drivers.Qemu.Tests.Networking;

public sealed class DnsmasqConfigTests
{
    private static readonly RouterSpec Router = new(
        "aaaaaaaaaaaa",
        [
            new RouterLegSpec("bbbbbbbbbbbb", "10.0.1.1/24", 1450, "10.0.1.100", "10.0.1.150", Dns: true),
            new RouterLegSpec("cccccccccccc", "10.0.2.1/24", 1450, null, null, Dns: false),
            new RouterLegSpec("dddddddddddd", "10.0.3.1/24", 1450, "10.0.3.100", "10.0.3.110", Dns: false),
        ],
        [],
        [new RouterHostSpec("a", "10.0.1.10"), new RouterHostSpec("b", "10.0.2.10")]);

    private static string[] Lines(RouterSpec router, bool dns = true) =>
        DnsmasqConfig.Build(router, dns, "/r/pid", "/r/leases", "/r/hosts").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>ADR 0039: nothing is asked outside the room, and nothing of the node's own leaks in.</summary>
    [Fact]
    public void Build_NeverForwardsOrReadsTheNodesFiles()
    {
        foreach (var dns in new[] { true, false })
        {
            var lines = Lines(Router, dns);

            Assert.Contains("no-resolv", lines);
            Assert.Contains("no-hosts", lines);
            Assert.Contains("except-interface=lo", lines);
            Assert.Contains("bind-interfaces", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("server=", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Build_DnsInstance_ServesOnlyTheDnsLegs_WithTheirOwnRangeAndGateway()
    {
        var lines = Lines(Router, dns: true);

        Assert.Equal(["interface=l0"], lines.Where(l => l.StartsWith("interface=", StringComparison.Ordinal)));
        Assert.Contains("dhcp-range=set:l0,10.0.1.100,10.0.1.150,255.255.255.0,1h", lines);
        Assert.Contains("dhcp-option=tag:l0,option:router,10.0.1.1", lines);
        Assert.Contains("dhcp-option=tag:l0,option:dns-server,10.0.1.1", lines);
        Assert.Contains("port=53", lines);
        Assert.Contains("addn-hosts=/r/hosts", lines);
    }

    /// <summary>Issue 18: a leg with DHCP but no DNS gets its leases from an instance whose DNS server is off.</summary>
    [Fact]
    public void Build_DhcpOnlyInstance_ServesTheDhcpOnlyLegs_WithDnsOff()
    {
        var lines = Lines(Router, dns: false);

        Assert.Equal(["interface=l2"], lines.Where(l => l.StartsWith("interface=", StringComparison.Ordinal)));
        Assert.Contains("dhcp-range=set:l2,10.0.3.100,10.0.3.110,255.255.255.0,1h", lines);
        Assert.Contains("dhcp-option=tag:l2,option:router,10.0.3.1", lines);
        Assert.Contains("dhcp-option=tag:l2,option:dns-server", lines); // no DNS there: none handed out
        Assert.Contains("port=0", lines);
        Assert.DoesNotContain("port=53", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("addn-hosts=", StringComparison.Ordinal));
    }

    [Fact]
    public void Instances_OnePerKindOfLeg()
    {
        Assert.Equal([true, false], DnsmasqConfig.Instances(Router));
        Assert.Equal([false], DnsmasqConfig.Instances(Router with { Legs = [Router.Legs[2]] }));
        Assert.Equal([true], DnsmasqConfig.Instances(Router with { Legs = [Router.Legs[0], Router.Legs[1]] }));
        Assert.Empty(DnsmasqConfig.Instances(Router with { Legs = [Router.Legs[1]] }));
    }

    [Fact]
    public void Needed_NoDhcpNoDns_IsFalse()
    {
        Assert.False(DnsmasqConfig.Needed(Router with { Legs = [Router.Legs[1]] }));
        Assert.True(DnsmasqConfig.Needed(Router));
    }

    [Fact]
    public void Hosts_OneLinePerName()
    {
        Assert.Equal("10.0.1.10 a\n10.0.2.10 b\n", DnsmasqConfig.Hosts(Router));
    }
}
