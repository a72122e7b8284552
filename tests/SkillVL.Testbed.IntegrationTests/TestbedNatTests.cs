using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SkillVL.Testbed.Planning;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// A client behind NAT (<c>--behind-nat</c>, issue 12): it reaches the server node through its router, which
/// masquerades it (the node sees the router's address); nothing reaches it from the underlay, neither at its inside
/// address nor at the router; nothing leaves the testbed; its link keeps the configured RTT and rate.
/// </summary>
public sealed class TestbedNatTests : IClassFixture<NatFixture>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly NatFixture _fixture;
    private readonly ITestOutputHelper _output;

    public TestbedNatTests(NatFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        foreach (var line in fixture.DrainLog())
        {
            output.WriteLine($"fixture: {line}");
        }
    }

    private TestbedNames Names => _fixture.Bed.Names;

    private string Client => Names.Namespace("laptop1");

    private string Router => Names.Namespace("laptop1") + NatPlan.NamespaceSuffix;

    [Fact]
    public async Task NatClient_PingsAndConnectsToTheServerNode_WhichSeesTheRoutersOutsideAddress()
    {
        var ping = await Netns.RunAsync(Client, CommandTimeout, "ping", "-c", "2", "-i", "0.2", "-W", "2", Names.Host(11));
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);

        await using var listener = await TcpListenerInNamespace.StartAsync(Names.Namespace("node1"), 5301);
        var (connected, said) = await listener.TryConnectAsync(Client, Names.Host(11));
        _output.WriteLine($"laptop1 -> node1:5301: {said}");
        Assert.True(connected, said);

        // node1 as the peer of a TCP connection from laptop1: iperf3's server reports the address it accepted.
        var json = await IperfAsync(reverse: false);
        using var document = JsonDocument.Parse(json.Server);
        var peer = document.RootElement.GetProperty("start").GetProperty("accepted_connection").GetProperty("host").GetString();
        _output.WriteLine($"node1 accepted laptop1's connection from {peer} (laptop1 is {_fixture.Status.Nodes[1].Address}, its router outside {Names.Host(101)})");
        Assert.Equal(Names.Host(101), peer);
    }

    [Fact]
    public async Task ServerNode_CannotConnectToTheNatClient_NeitherAtItsInsideAddressNorAtItsRouter()
    {
        var node1 = Names.Namespace("node1");
        await using var listener = await TcpListenerInNamespace.StartAsync(Client, 5302);

        // The listener answers whoever reaches it: its own router does (the inside /24 is connected there).
        var control = await listener.TryConnectAsync(Router, "100.64.1.2");
        _output.WriteLine($"router -> laptop1 100.64.1.2:5302: {control.Output}");
        Assert.True(control.Connected, control.Output);

        // The router's outside address: no port is forwarded and the router itself answers nothing from outside.
        var atRouter = await listener.TryConnectAsync(node1, Names.Host(101));
        _output.WriteLine($"node1 -> router {Names.Host(101)}:5302: {atRouter.Output}");
        Assert.False(atRouter.Connected, atRouter.Output);

        // The inside address, even from a node that routes to it through the router (as an attacker on the underlay would).
        await Netns.ExecAsync(node1, CommandTimeout, "ip", "route", "add", "100.64.1.0/24", "via", Names.Host(101));
        try
        {
            var inside = await listener.TryConnectAsync(node1, "100.64.1.2");
            _output.WriteLine($"node1 -> laptop1 100.64.1.2:5302 via the router: {inside.Output}");
            Assert.False(inside.Connected, inside.Output);
        }
        finally
        {
            await Netns.ExecAsync(node1, CommandTimeout, "ip", "route", "del", "100.64.1.0/24");
        }
    }

    [Fact]
    public async Task NatClientAndRouter_HaveNoRouteOutside_AndOnlyTheRouterForwards()
    {
        foreach (var ns in new[] { Client, Router, Names.Namespace("node1") })
        {
            var (exitCode, stdout, stderr) = await Netns.RunAsync(ns, CommandTimeout, "ip", "route", "get", "1.1.1.1");
            _output.WriteLine($"{ns}: ip route get 1.1.1.1 -> exit {exitCode} {stdout.Trim()} {stderr.Trim()}");
            Assert.NotEqual(0, exitCode);
            Assert.Contains("unreachable", stderr, StringComparison.OrdinalIgnoreCase);
        }

        var clientRoutes = Lines(await Netns.ExecAsync(Client, CommandTimeout, "ip", "route", "show"));
        _output.WriteLine("laptop1 routes:\n  " + string.Join("\n  ", clientRoutes));
        Assert.Equal(2, clientRoutes.Count);
        Assert.StartsWith("100.64.1.0/24 dev eth0 proto kernel scope link src 100.64.1.2", clientRoutes[0], StringComparison.Ordinal);
        Assert.StartsWith($"{Names.Subnet} via 100.64.1.1 dev eth0", clientRoutes[1], StringComparison.Ordinal);

        Assert.Equal("1", (await Netns.ExecAsync(Router, CommandTimeout, "cat", "/proc/sys/net/ipv4/ip_forward")).Trim());
        Assert.Equal("0", (await Netns.ExecAsync(Client, CommandTimeout, "cat", "/proc/sys/net/ipv4/ip_forward")).Trim());
        Assert.Equal("0", (await File.ReadAllTextAsync("/proc/sys/net/ipv4/ip_forward")).Trim());

        // The ruleset lives in the router only.
        Assert.Contains("masquerade", await Netns.ExecAsync(Router, CommandTimeout, "nft", "list", "ruleset"), StringComparison.Ordinal);
        Assert.DoesNotContain("skillvl_nat", (await HostTools.RunAsync("nft", ["list", "tables"], CommandTimeout)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NatClientLink_KeepsTheConfiguredRttAndRate()
    {
        await Netns.ExecAsync(Client, CommandTimeout, "ping", "-c", "1", "-W", "2", Names.Host(11));
        var ping = PingSummary.Parse(await Netns.ExecAsync(Client, CommandTimeout, "ping", "-q", "-c", "20", "-i", "0.1", "-W", "2", Names.Host(11)));
        _output.WriteLine(Invariant($"laptop1 (behind NAT) -> node1: RTT min/avg/max {ping.MinMs:0.000}/{ping.AvgMs:0.000}/{ping.MaxMs:0.000} ms, {ping.Received}/{ping.Transmitted} (configured 40 ms)"));
        Assert.Equal(20, ping.Received);
        Assert.InRange(ping.AvgMs, 38, 42);

        // Download (node1 sends): the emulator shapes it before the router, so the rate holds through the NAT.
        var expected = 50e6 * 1448.0 / 1514.0;
        var (client, _) = await IperfAsync(reverse: true);
        using var document = JsonDocument.Parse(client);
        var goodput = document.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        _output.WriteLine(Invariant($"laptop1 download through its NAT: iperf3 goodput {goodput / 1e6:0.00} Mbit/s (expected {expected / 1e6:0.00})"));
        Assert.InRange(goodput, expected * 0.9, expected * 1.1);
    }

    [Fact]
    public async Task Status_ShowsTheRouterAndItsAddresses()
    {
        var status = await _fixture.Bed.Controller.StatusAsync(Names.StateDirectory, CancellationToken.None);

        Assert.NotNull(status);
        Assert.True(status.Healthy);
        var laptop = status.Nodes.Single(n => n.Name == "laptop1");
        Assert.Equal("100.64.1.2", laptop.Address);
        Assert.NotNull(laptop.Nat);
        Assert.Equal(new Status.NatStatus(Router, true, Names.Host(101), "100.64.1.0/24", "100.64.1.1", "100.64.1.2"), laptop.Nat);
        Assert.Equal($"{Names.Prefix}c1o", laptop.Link!.BridgePort);
        Assert.Equal("forwarding", laptop.Link.PortState);
        Assert.Null(status.Nodes.Single(n => n.Name == "node1").Nat);

        var stdout = new StringWriter();
        Assert.Equal(0, await TestbedApplication.RunAsync(
            ["status", "--state", Names.StateDirectory], new Commands.TestbedContext(stdout, new StringWriter(), TimeProvider.System), CancellationToken.None));
        _output.WriteLine(stdout.ToString());
        Assert.Contains($"via {Router} outside {Names.Host(101)} inside 100.64.1.1", stdout.ToString(), StringComparison.Ordinal);
    }

    /// <summary>iperf3 between laptop1 (client) and node1 (server, one connection): both JSON reports.</summary>
    private async Task<(string Client, string Server)> IperfAsync(bool reverse)
    {
        var server = Names.Namespace("node1");
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["netns", "exec", server, "iperf3", "--server", "--one-off", "--json", "--bind", Names.Host(11), "--port", "5203"])
        {
            start.ArgumentList.Add(argument);
        }

        using var iperfServer = Process.Start(start)!;
        try
        {
            var serverOutput = iperfServer.StandardOutput.ReadToEndAsync();
            await Bounded.WaitUntilAsync(
                async () => (await Netns.ExecAsync(server, CommandTimeout, "ss", "-Hltn", "sport = :5203")).Contains("5203", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10),
                "iperf3 server to listen");
            string[] direction = reverse ? ["--reverse"] : [];
            var client = await Netns.ExecAsync(Client, CommandTimeout, ["iperf3", "--client", Names.Host(11), "--port", "5203", "--time", "3", "--omit", "1", "--json", .. direction]);
            await iperfServer.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            return (client, await serverOutput.WaitAsync(TimeSpan.FromSeconds(5)));
        }
        finally
        {
            if (!iperfServer.HasExited)
            {
                iperfServer.Kill();
            }
        }
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
