using SkillVL.LinkEmulator.Profiles;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Profiles;

public sealed class LinkProfileTests
{
    [Fact]
    public void Parse_Delay_IsOneWay()
    {
        var profile = LinkProfile.Parse("50mbit", delay: "20ms", loss: "0.1%");

        Assert.Equal(50_000_000, profile.RateBitsPerSecond);
        Assert.Equal(TimeSpan.FromMilliseconds(20), profile.OneWayDelay);
        Assert.Equal(0.001, profile.LossFraction, 12);
    }

    [Fact]
    public void Parse_Rtt_IsSplitEvenlyBetweenTheDirections()
    {
        var profile = LinkProfile.Parse("50mbit", rtt: "40ms");

        Assert.Equal(TimeSpan.FromMilliseconds(20), profile.OneWayDelay);
    }

    [Fact]
    public void Parse_DelayAndRtt_IsRefusedNamingRtt()
    {
        var error = Assert.Throws<LinkProfileException>(() => LinkProfile.Parse("50mbit", delay: "20ms", rtt: "40ms"));

        Assert.Equal("rtt", error.Field);
    }

    [Theory]
    [InlineData("fast", null, null, null, "rate")]
    [InlineData("50mbit", "20", null, null, "delay")]
    [InlineData("50mbit", null, "2%", null, "jitter")]
    [InlineData("50mbit", null, null, "10", "loss")]
    public void Parse_BadField_NamesIt(string rate, string? delay, string? jitter, string? loss, string field)
    {
        var error = Assert.Throws<LinkProfileException>(() => LinkProfile.Parse(rate, delay: delay, jitter: jitter, loss: loss));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Parse_QueueSmallerThanAFrame_IsRefusedNamingQueue()
    {
        var error = Assert.Throws<LinkProfileException>(() => LinkProfile.Parse("50mbit", queue: "1000B"));

        Assert.Equal("queue", error.Field);
        Assert.Contains("1514", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreOneRoundTripBdpPlusBurst()
    {
        var profile = LinkProfile.Parse("100mbit", rtt: "40ms");

        // 1 ms of 100 Mbit/s = 12,500 bytes; BDP over 40 ms = 500,000 bytes.
        Assert.Equal(12_500, profile.EffectiveBurstBytes);
        Assert.Equal(512_500, profile.EffectiveQueueLimitBytes);
    }

    [Fact]
    public void Defaults_SlowShortLink_KeepAtLeastTwoFramesOfBurstAnd32KiBOfQueue()
    {
        var profile = LinkProfile.Parse("1mbit", delay: "0ms");

        Assert.Equal(2 * 1514, profile.EffectiveBurstBytes);
        Assert.Equal((32 * 1024) + (2 * 1514), profile.EffectiveQueueLimitBytes);
    }

    [Fact]
    public void ExplicitQueueAndBurst_OverrideTheDefaults()
    {
        var profile = LinkProfile.Parse("50mbit", queue: "256KiB", burst: "16KiB");

        Assert.Equal(256 * 1024, profile.EffectiveQueueLimitBytes);
        Assert.Equal(16 * 1024, profile.EffectiveBurstBytes);
    }
}
