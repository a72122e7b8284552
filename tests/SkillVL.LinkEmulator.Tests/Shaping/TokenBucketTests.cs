using SkillVL.LinkEmulator.Shaping;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Shaping;

public sealed class TokenBucketTests
{
    // Timestamps in microseconds keep the arithmetic readable: 8 Mbit/s is exactly 1 byte per µs.
    private const long Frequency = 1_000_000;

    [Fact]
    public void Reserve_WithinBurst_LeavesAtOnce()
    {
        var bucket = new TokenBucket(8_000_000, burstBytes: 3000, Frequency, start: 0);

        Assert.Equal(0, bucket.Reserve(1500, ready: 0));
        Assert.Equal(0, bucket.Reserve(1500, ready: 0));
    }

    [Fact]
    public void Reserve_BeyondBurst_SpacesFramesAtTheRate()
    {
        var bucket = new TokenBucket(8_000_000, burstBytes: 3000, Frequency, start: 0);
        bucket.Reserve(1500, 0);
        bucket.Reserve(1500, 0);

        // The bucket is empty: each further 1500-byte frame needs 1500 µs of tokens.
        Assert.Equal(1500, bucket.Reserve(1500, 0));
        Assert.Equal(3000, bucket.Reserve(1500, 0));
        Assert.Equal(3100, bucket.Reserve(100, 0));
    }

    [Fact]
    public void Reserve_AfterIdle_RefillsOnlyUpToTheBurst()
    {
        var bucket = new TokenBucket(8_000_000, burstBytes: 3000, Frequency, start: 0);
        bucket.Reserve(3000, 0);

        // A second of idling would give 1,000,000 tokens; the bucket holds 3000.
        Assert.Equal(1_000_000, bucket.Reserve(3000, 1_000_000));
        Assert.Equal(1_001_500, bucket.Reserve(1500, 1_000_000));
    }

    [Fact]
    public void Reserve_FrameLargerThanBurst_WaitsUntilTheBucketHoldsIt()
    {
        var bucket = new TokenBucket(8_000_000, burstBytes: 1000, Frequency, start: 0);

        // 1000 tokens at the start, 500 more take 500 µs.
        Assert.Equal(500, bucket.Reserve(1500, 0));
    }

    [Theory]
    [InlineData(10_000_000L)]
    [InlineData(50_000_000L)]
    [InlineData(100_000_000L)]
    public void Reserve_SaturatedForOneSecond_PassesTheRatePlusTheBurst(long rate)
    {
        // Nanosecond timestamps as on Linux (Stopwatch.Frequency).
        const long nanos = 1_000_000_000;
        const int frame = 1514;
        var burst = rate / 8 / 1000;
        var bucket = new TokenBucket(rate, burst, nanos, start: 0);

        long bytes = 0;
        while (bucket.Reserve(frame, 0) <= nanos)
        {
            bytes += frame;
        }

        var expected = (rate / 8) + burst;
        Assert.InRange(bytes, expected - frame, expected + frame);
    }

    [Fact]
    public void TokensAt_NeverExceedsTheBurst()
    {
        var bucket = new TokenBucket(8_000_000, burstBytes: 3000, Frequency, start: 0);
        bucket.Reserve(2000, 0);

        Assert.Equal(1000, bucket.TokensAt(0), 6);
        Assert.Equal(1500, bucket.TokensAt(500), 6);
        Assert.Equal(3000, bucket.TokensAt(10_000), 6);
    }
}
