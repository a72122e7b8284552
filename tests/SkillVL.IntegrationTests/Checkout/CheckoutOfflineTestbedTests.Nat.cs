using System.Diagnostics;
using System.Globalization;
using SkillVL.Core.Api.Migrations;
using SkillVL.TestUtilities;
using Xunit;
using static SkillVL.IntegrationTests.Nodes.MigrationTestbedTests;

namespace SkillVL.IntegrationTests.Checkout;

/// <summary>
/// Behind the NAT (ADR 0018–0020): nothing on the server side can open a connection to laptop1, proven against a
/// listener running there, yet the VM is checked out to it live (the client dials every migration connection) and the
/// peer on node1 reaches it through the client's outbound relay, a full-size frame included. This was a test of its own
/// (NatClientTestbedTests) that built the same NAT'd testbed and cut the link for 30 s; the check-out scenario's
/// two-minute cut, its one-QEMU checks and its check-in cover the rest of what that test did.
/// </summary>
public sealed partial class CheckoutOfflineTestbedTests
{
    /// <summary>A listener on the client answers the client itself; neither its own address nor its router's outside address lets node1 in.</summary>
    private async Task OutboundOnlyAsync(Bed bed)
    {
        var status = (await bed.StatusAsync())!;
        var laptop = status.Nodes.Single(n => n.Name == "laptop1");
        var node1 = status.Nodes.Single(n => n.Name == "node1");
        var nat = laptop.Nat ?? throw new InvalidOperationException("laptop1 is not behind NAT");
        output.WriteLine($"laptop1 {nat.ClientAddress} behind its router {nat.OutsideAddress}");
        using var listener = StartListener(laptop.Namespace, 8099);
        try
        {
            await Bounded.WaitUntilAsync(async () => await ConnectFromAsync(laptop.Namespace, nat.ClientAddress, 8099) == 0, TimeSpan.FromSeconds(20), "the client's own listener");
            Assert.NotEqual(0, await ConnectFromAsync(node1.Namespace, nat.OutsideAddress, 8099));
            Assert.NotEqual(0, await ConnectFromAsync(node1.Namespace, nat.ClientAddress, 8099));
        }
        finally
        {
            listener.Kill(entireProcessTree: true);
            await listener.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// After the check-out: the platform's own peer probe (the peer on node1 pings the VM every 10 ms) measured the gap, and
    /// the peer reaches the VM on the NAT'd client through the relay with a full-size frame (MTU 1450: 1422 bytes of ICMP
    /// payload, don't fragment).
    /// </summary>
    private async Task PeerReachesThroughRelayAsync(ServerHarness server, MigrationInfo checkout)
    {
        Assert.Contains(checkout.Log, l => l.Message.StartsWith("Peer probe: peer pings 10.65.0.10", StringComparison.Ordinal));
        Assert.NotNull(checkout.Metrics.ProbeDowntimeMs);
        Assert.InRange(checkout.Metrics.ProbeDowntimeMs!.Value, 0, 5000);
        Assert.Equal(0, (await server.ExecAsync("home", "peer", "ping", "-c", "3", "-W", "3", "10.65.0.10")).ExitCode);
        var full = await server.ExecAsync("home", "peer", "ping", "-c", "2", "-W", "3", "-M", "do", "-s", "1422", "10.65.0.10");
        Assert.True(full.ExitCode == 0, full.Stdout + full.Stderr);
    }

    /// <summary>A TCP listener inside the namespace (Python's http.server), ended by the caller through its pid.</summary>
    private static Process StartListener(string ns, int port)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", ns, "timeout", "300", "/usr/bin/python3", "-m", "http.server", port.ToString(CultureInfo.InvariantCulture), "--bind", "0.0.0.0" })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the listener");
    }

    /// <summary>A TCP connect from namespace <paramref name="ns"/>, bounded to 3 s: 0 connected, else refused, unreachable or timed out.</summary>
    private static async Task<int> ConnectFromAsync(string ns, string address, int port) =>
        (await HostTools.RunAsync("ip", ["netns", "exec", ns, "timeout", "3", "bash", "-c", $"</dev/tcp/{address}/{port}"], TimeSpan.FromSeconds(10))).ExitCode;
}
