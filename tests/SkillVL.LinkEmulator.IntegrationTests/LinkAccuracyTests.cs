using System.Text.Json;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.LinkEmulator.IntegrationTests;

/// <summary>
/// Issue 5's acceptance for the link emulator: the configured bandwidth within ±10% and the configured RTT
/// within ±2 ms at 10, 50 and 100 Mbit/s, measured with iperf3 and ping between two network namespaces whose
/// only connection is the emulator.
/// </summary>
/// <remarks>
/// Two rates are compared, because the emulator and iperf3 count different bytes:
/// <list type="bullet">
/// <item>the emulator's own rate: Ethernet frame bytes it passed A→B per second, from its stats lines (what
///   <c>--rate</c> limits), against the configured rate;</item>
/// <item>iperf3's TCP goodput (payload bytes the receiver got per second) against the configured rate × 1448/1514:
///   with MTU 1500 and TCP timestamps (Linux's default) a full frame of 1514 bytes carries 1448 bytes of payload.</item>
/// </list>
/// </remarks>
public sealed class LinkAccuracyTests(ITestOutputHelper output)
{
    /// <summary>TCP payload per full Ethernet frame: 1514 − 14 (Ethernet) − 20 (IPv4) − 32 (TCP with timestamps).</summary>
    private const double GoodputPerFrameByte = 1448.0 / 1514.0;

    private static readonly TimeSpan Rtt = TimeSpan.FromMilliseconds(40);

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(100)]
    public async Task Link_AtRate_DeliversTheRateWithinTenPercentAndTheRttWithinTwoMs(int megabits)
    {
        var rate = megabits * 1_000_000.0;
        await using var bed = await LinkTestbed.StartAsync(
            output, "--rate", $"{megabits}mbit", "--rtt", "40ms", "--seed", "1", "--stats-interval", "250ms");

        // RTT first, on the idle link: 20 pings, 0.1 s apart.
        var ping = PingSummary.Parse(await bed.ExecAsync(
            bed.NamespaceA, TimeSpan.FromSeconds(30), "ping", "-q", "-c", "20", "-i", "0.1", "-W", "2", LinkTestbed.AddressB));
        output.WriteLine(LinkTestbed.Invariant(
            $"{megabits} Mbit/s: ping RTT min/avg/max/mdev {ping.MinMs:0.000}/{ping.AvgMs:0.000}/{ping.MaxMs:0.000}/{ping.MdevMs:0.000} ms (configured {Rtt.TotalMilliseconds} ms), {ping.Received}/{ping.Transmitted} received"));

        // Then bandwidth: iperf3 TCP from A to B, 1 s of warm-up (slow start) omitted, 4 s measured.
        var server = bed.Spawn(bed.NamespaceB, "iperf3", "--server", "--one-off", "--bind", LinkTestbed.AddressB, "--port", "5201");
        await Bounded.WaitUntilAsync(
            async () => (await bed.ExecAsync(bed.NamespaceB, TimeSpan.FromSeconds(10), "ss", "-Hltn", "sport = :5201")).Contains("5201", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "iperf3 server to listen");
        var clientStart = bed.Clock.Elapsed;
        var json = await bed.ExecAsync(
            bed.NamespaceA, TimeSpan.FromSeconds(30), "iperf3", "--client", LinkTestbed.AddressB, "--port", "5201", "--time", "4", "--omit", "1", "--json");
        var clientEnd = bed.Clock.Elapsed;
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        using var iperf = JsonDocument.Parse(json);
        var end = iperf.RootElement.GetProperty("end");
        var goodput = end.GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        var retransmits = end.GetProperty("sum_sent").GetProperty("retransmits").GetInt64();

        // The emulator's rate over the measured part of the run (after the omitted second, before the end).
        var window = bed.Linkem.Lines
            .Where(l => l.Event == "stats" && l.ReceivedAt > clientStart + TimeSpan.FromSeconds(1.5) && l.ReceivedAt < clientEnd - TimeSpan.FromSeconds(0.3))
            .ToList();
        Assert.True(window.Count >= 8, $"only {window.Count} stats lines inside the iperf3 run");
        var (first, last) = (window[0], window[^1]);
        var seconds = last.ElapsedSeconds - first.ElapsedSeconds;
        var frameRate = (last.Counter("aToB", "bytesPassed") - first.Counter("aToB", "bytesPassed")) * 8 / seconds;
        var cpu = (last.CpuSeconds - first.CpuSeconds) / seconds;
        var lateness = last.Lateness("aToB");
        output.WriteLine(LinkTestbed.Invariant(
            $"{megabits} Mbit/s: emulator passed {frameRate / 1e6:0.00} Mbit/s of frames A->B (deviation {frameRate / rate - 1:0.00%}), over {seconds:0.00} s"));
        output.WriteLine(LinkTestbed.Invariant(
            $"{megabits} Mbit/s: iperf3 goodput {goodput / 1e6:0.00} Mbit/s (deviation {goodput / (rate * GoodputPerFrameByte) - 1:0.00%} from expected {rate * GoodputPerFrameByte / 1e6:0.00}), {retransmits} retransmits"));
        output.WriteLine(LinkTestbed.Invariant(
            $"{megabits} Mbit/s: emulator CPU {cpu:0.0%} of one core; dropped by queue A->B {last.Counter("aToB", "framesDroppedByQueue")}; delivery lateness A->B mean {lateness.GetProperty("meanUs").GetDouble():0.0} us, p99 <= {lateness.GetProperty("p99UsAtMost").GetInt64()} us, max {lateness.GetProperty("maxUs").GetInt64()} us"));

        Assert.Equal(20, ping.Received);
        Assert.InRange(ping.AvgMs, Rtt.TotalMilliseconds - 2, Rtt.TotalMilliseconds + 2);
        Assert.InRange(frameRate, rate * 0.9, rate * 1.1);
        Assert.InRange(goodput, rate * GoodputPerFrameByte * 0.9, rate * GoodputPerFrameByte * 1.1);

        Assert.Equal(0, await bed.Linkem.StopAsync(TimeSpan.FromSeconds(10)));
        var stopped = bed.Linkem.Lines[^1];
        Assert.Equal("stopped", stopped.Event);
        Assert.Equal("signal", stopped.Json.GetProperty("reason").GetString());

        await bed.DisposeAsync();
        Assert.Empty(await bed.LeftoversAsync());
    }
}
