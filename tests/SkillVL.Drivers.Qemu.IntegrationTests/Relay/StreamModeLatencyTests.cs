using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Relay;

/// <summary>
/// What stream mode's user-space switch costs between two tiny guests on one node (ADR 0052), beside the same two guests
/// on a Linux bridge: a flood ping of full-size frames (1422 bytes of payload, MTU 1450), its round trips per second and
/// average round trip. The tiny guest has no iperf3, and under TCG the guests' own CPU is most of the cost either way;
/// the test fails only when a path loses frames (more than 1 %).
/// </summary>
public sealed partial class StreamModeLatencyTests(ITestOutputHelper output)
{
    private const int Count = 1000;

    [Fact]
    public async Task StreamSwitch_BesideBridge_FloodPingOfFullFrames_LosesAtMostOnePercent()
    {
        var bridge = await MeasureAsync(QemuDriverOptions.BridgeNetworking);
        var stream = await MeasureAsync(QemuDriverOptions.StreamNetworking);
        output.WriteLine(
            $"flood ping, {Count} x 1422 bytes, two TCG guests on one node: bridge {bridge.PerSecond:F0} round trips/s " +
            $"(avg {bridge.AverageMs:F3} ms), stream switch {stream.PerSecond:F0} round trips/s (avg {stream.AverageMs:F3} ms)");
    }

    private async Task<(double PerSecond, double AverageMs)> MeasureAsync(string vmNetwork)
    {
        await using var host = await QemuTestHost.StartAsync(output, vmNetwork: vmNetwork);
        var network = await host.NewNetworkAsync();
        var a = host.NewVm("a", network);
        var b = host.NewVm("b", network);
        await Task.WhenAll(host.StartAndWaitForAgentAsync(a), host.StartAndWaitForAgentAsync(b));
        await host.ConfigureNicAsync(a, "10.0.1.11/24");
        await host.ConfigureNicAsync(b, "10.0.1.12/24");
        var warm = await host.ExecAsync(a.Id, "ping", "-c", "3", "-W", "2", "10.0.1.12");
        Assert.True(warm.ExitCode == 0, warm.Stdout + warm.Stderr);

        var flood = await host.ExecAsync(a.Id, TimeSpan.FromSeconds(90), "ping", "-f", "-q", "-c", $"{Count}", "-s", "1422", "10.0.1.12");
        Assert.True(flood.ExitCode == 0, flood.Stdout + flood.Stderr);
        var summary = Summary().Match(flood.Stdout);
        var rtt = Rtt().Match(flood.Stdout);
        Assert.True(summary.Success && rtt.Success, flood.Stdout);
        // A reply may come too late for ping under load (a run beside other VM tests once counted 999 of 1000 with one
        // round trip of 955 ms): 1 % is allowed; a switch that drops frames loses far more.
        var received = int.Parse(summary.Groups["received"].Value, CultureInfo.InvariantCulture);
        Assert.True(received >= Count * 99 / 100, $"{vmNetwork}: {received} of {Count} replies");
        var milliseconds = double.Parse(summary.Groups["time"].Value, CultureInfo.InvariantCulture);
        var average = double.Parse(rtt.Groups["avg"].Value, CultureInfo.InvariantCulture);

        await Task.WhenAll(host.Node.Vms.DeleteAsync(a.Id, CancellationToken.None), host.Node.Vms.DeleteAsync(b.Id, CancellationToken.None));
        await host.Node.Networks.DeleteAsync(network, CancellationToken.None);
        await host.AssertNothingLeftAsync();
        return (Count * 1000.0 / milliseconds, average);
    }

    [GeneratedRegex(@"(?<sent>\d+) packets transmitted, (?<received>\d+) received.*time (?<time>\d+)ms")]
    private static partial Regex Summary();

    [GeneratedRegex(@"= (?<min>[\d.]+)/(?<avg>[\d.]+)/(?<max>[\d.]+)/(?<mdev>[\d.]+) ms")]
    private static partial Regex Rtt();
}
