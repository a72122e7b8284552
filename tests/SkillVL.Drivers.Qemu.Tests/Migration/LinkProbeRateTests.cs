using SkillVL.Drivers.Qemu.Migration.Tunnel;

namespace SkillVL.Drivers.Qemu.Tests.Migration;

public sealed class LinkProbeRateTests
{
    [Fact]
    public void WholeTransfer_LessOneRoundTrip_IsTheLinksRate()
    {
        // 50 Mbit/s for 2 s: 12.5 MB acknowledged 2 s + one 40 ms round trip after the first byte left.
        var rate = LinkProbeRate.BytesPerSecond(TimeSpan.FromMilliseconds(2040), 12_500_000, TimeSpan.FromMilliseconds(40));

        Assert.Equal(6_250_000, rate!.Value, precision: 0);
    }

    [Fact]
    public void TransferShorterThanTwoRoundTrips_RoundTripCappedAtHalfTheTime()
    {
        var rate = LinkProbeRate.BytesPerSecond(TimeSpan.FromMilliseconds(50), 1_000_000, TimeSpan.FromMilliseconds(100));

        Assert.Equal(40_000_000, rate!.Value, precision: 0);
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(1000, 0)]
    [InlineData(-5, 1000)]
    public void NothingAcknowledged_OrNoTime_IsNull(long elapsedMs, long bytes)
    {
        Assert.Null(LinkProbeRate.BytesPerSecond(TimeSpan.FromMilliseconds(elapsedMs), bytes, TimeSpan.FromMilliseconds(1)));
    }
}
