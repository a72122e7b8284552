using Xunit;
using Xunit.Abstractions;

namespace SkillVL.LinkEmulator.IntegrationTests;

public sealed class LinkLossTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Link_TenPercentLoss_LosesTenPercentOfFramesEachWayWithinStatisticalTolerance()
    {
        const double loss = 0.10;
        const int pings = 2000;
        await using var bed = await LinkTestbed.StartAsync(
            output, "--rate", "100mbit", "--rtt", "2ms", "--loss", "10%", "--seed", "1", "--stats-interval", "1s");

        // 2000 echo requests, one every 2 ms; a ping is answered only if neither the request (A→B) nor the
        // reply (B→A) is lost: expected 1 − 0.9² = 19% round-trip loss.
        var ping = PingSummary.Parse(await bed.ExecAsync(
            bed.NamespaceA, TimeSpan.FromSeconds(60), "ping", "-q", "-c", $"{pings}", "-i", "0.002", "-W", "1", LinkTestbed.AddressB));
        Assert.Equal(0, await bed.Linkem.StopAsync(TimeSpan.FromSeconds(10)));
        var last = bed.Linkem.Lines[^1];

        var roundTrip = 1 - ((1 - loss) * (1 - loss));
        var roundTripTolerance = 4 * Math.Sqrt(roundTrip * (1 - roundTrip) / pings);
        output.WriteLine(LinkTestbed.Invariant(
            $"ping: {ping.Received}/{ping.Transmitted} received, round-trip loss {ping.LossFraction:0.00%} (expected {roundTrip:0.00%} ± {roundTripTolerance:0.00%}, 4 sigma)"));
        Assert.Equal(pings, ping.Transmitted);
        Assert.InRange(ping.LossFraction, roundTrip - roundTripTolerance, roundTrip + roundTripTolerance);

        foreach (var direction in new[] { "aToB", "bToA" })
        {
            var offered = last.Counter(direction, "framesIn");
            var lost = last.Counter(direction, "framesDroppedByLoss");
            var fraction = (double)lost / offered;
            var tolerance = 4 * Math.Sqrt(loss * (1 - loss) / offered);
            output.WriteLine(LinkTestbed.Invariant(
                $"{direction}: {lost} of {offered} frames lost ({fraction:0.00%}, expected {loss:0%} ± {tolerance:0.00%}, 4 sigma); dropped by queue {last.Counter(direction, "framesDroppedByQueue")}"));
            Assert.InRange(fraction, loss - tolerance, loss + tolerance);
            Assert.Equal(0, last.Counter(direction, "framesDroppedByQueue"));
        }

        // Every request that was not lost was offered to B→A as a reply: the counts agree with ping's.
        Assert.Equal(last.Counter("aToB", "framesIn") - last.Counter("aToB", "framesDroppedByLoss"), last.Counter("bToA", "framesIn"));
        Assert.Equal(ping.Received, last.Counter("bToA", "framesPassed"));
    }
}
