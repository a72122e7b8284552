using Microsoft.Extensions.Time.Testing;
using SkillVL.LinkEmulator.Profiles;
using SkillVL.LinkEmulator.Shaping;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Shaping;

public sealed class LinkDirectionTests
{
    private static readonly byte[] FullFrame = new byte[1514];

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Offer_IdleLink_FrameIsDueAfterTheOneWayDelay()
    {
        var direction = Direction(new LinkProfile { RateBitsPerSecond = 100_000_000, OneWayDelay = TimeSpan.FromMilliseconds(20) });
        var sent = _time.GetTimestamp();

        Assert.Equal(OfferResult.Accepted, direction.Offer(FullFrame, sent));

        Assert.Equal(TimeSpan.FromMilliseconds(20), Elapsed(sent, direction.NextDueAt));
        Assert.False(direction.TryTakeDue(direction.NextDueAt - 1, out _));
        Assert.True(direction.TryTakeDue(direction.NextDueAt, out var frame));
        Assert.Equal(1514, frame.Length);
    }

    [Fact]
    public void Offer_Burst_FramesBeyondTheBucketAreSpacedBySerialisationTime()
    {
        // 12.112 Mbit/s: a 1514-byte frame takes exactly 1 ms; the bucket holds two frames.
        var direction = Direction(new LinkProfile { RateBitsPerSecond = 12_112_000, BurstBytes = 2 * 1514, OneWayDelay = TimeSpan.FromMilliseconds(5) });
        var sent = _time.GetTimestamp();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(OfferResult.Accepted, direction.Offer(FullFrame, sent));
        }

        var due = new List<TimeSpan>();
        while (direction.TryTakeDue(long.MaxValue, out var frame))
        {
            due.Add(Elapsed(sent, frame.DueAt));
        }

        Assert.Equal([5, 5, 6, 7, 8], due.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public void Offer_QueueFull_DropsTheTailAndCountsIt()
    {
        // 4 frames of queue, 2 of burst: 2 leave at once, 4 wait, the rest of 10 are dropped.
        var direction = Direction(new LinkProfile { RateBitsPerSecond = 12_112_000, BurstBytes = 2 * 1514, QueueLimitBytes = 4 * 1514 });
        var now = _time.GetTimestamp();

        var results = Enumerable.Range(0, 10).Select(_ => direction.Offer(FullFrame, now)).ToList();

        Assert.Equal(6, results.Count(r => r == OfferResult.Accepted));
        Assert.Equal(Enumerable.Repeat(OfferResult.DroppedByQueue, 4), results.Skip(6));
        Assert.Equal(4 * 1514, direction.QueuedBytes(now));
        Assert.Equal(new LinkDirectionCounts(10, 10 * 1514, 0, 0, 4, 4 * 1514), direction.Counts);
    }

    [Fact]
    public void Offer_QueueDrained_AcceptsAgain()
    {
        var direction = Direction(new LinkProfile { RateBitsPerSecond = 12_112_000, BurstBytes = 2 * 1514, QueueLimitBytes = 4 * 1514 });
        var now = _time.GetTimestamp();
        for (var i = 0; i < 7; i++)
        {
            direction.Offer(FullFrame, now);
        }

        // One frame's serialisation time later one frame has left the queue: exactly one more fits.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var later = _time.GetTimestamp();

        Assert.Equal(3 * 1514, direction.QueuedBytes(later));
        Assert.Equal(OfferResult.Accepted, direction.Offer(FullFrame, later));
        Assert.Equal(OfferResult.DroppedByQueue, direction.Offer(FullFrame, later));
    }

    [Fact]
    public void Offer_WithLoss_LostFramesTakeNoTokensAndNoQueue()
    {
        var direction = Direction(new LinkProfile { RateBitsPerSecond = 100_000_000, LossFraction = 1 });
        var now = _time.GetTimestamp();

        Assert.Equal(OfferResult.DroppedByLoss, direction.Offer(FullFrame, now));
        Assert.Equal(0, direction.FramesHeld);
        Assert.Equal(new LinkDirectionCounts(1, 1514, 1, 1514, 0, 0), direction.Counts);
    }

    [Fact]
    public void Offer_TenPercentLossWithSeed_LosesAboutTenPercentRepeatably()
    {
        var profile = new LinkProfile { RateBitsPerSecond = 1_000_000_000, LossFraction = 0.1, QueueLimitBytes = 1 << 30 };
        var first = Direction(profile, seed: 5);
        var second = Direction(profile, seed: 5);
        var now = _time.GetTimestamp();

        var a = Enumerable.Range(0, 20_000).Select(_ => first.Offer(FullFrame.AsSpan(0, 64), now)).ToList();
        var b = Enumerable.Range(0, 20_000).Select(_ => second.Offer(FullFrame.AsSpan(0, 64), now)).ToList();

        Assert.Equal(a, b);
        var lost = a.Count(r => r == OfferResult.DroppedByLoss);

        // 4σ of a binomial(20000, 0.1) is 170 frames.
        Assert.InRange(lost, 2000 - 170, 2000 + 170);
    }

    [Fact]
    public void Offer_WithJitter_FramesFartherApartThanTheSpread_GetUniformDelays()
    {
        // 20 ms ± 5 ms, one frame every 12 ms (> the 10 ms spread): no frame is ever held behind another.
        var delays = JitteredDelays(spacing: TimeSpan.FromMilliseconds(12));

        Assert.All(delays, d => Assert.InRange(d, 15, 25));
        Assert.InRange(delays.Average(), 19.7, 20.3);
        Assert.True(delays.Min() < 15.5 && delays.Max() > 24.5);
    }

    [Fact]
    public void Offer_WithJitter_FramesCloserThanTheSpread_StayInOrderAndLengthenTheMean()
    {
        // One frame every 0.5 ms: a frame whose draw would overtake an earlier one waits for it, so delays stay
        // within 15-25 ms but their mean rises (about 22.6 ms for this spacing; see LinkProfile.Jitter).
        var delays = JitteredDelays(spacing: TimeSpan.FromMicroseconds(500));

        Assert.All(delays, d => Assert.InRange(d, 15, 25));
        Assert.InRange(delays.Average(), 22, 23.3);
    }

    private List<double> JitteredDelays(TimeSpan spacing)
    {
        var direction = Direction(new LinkProfile
        {
            RateBitsPerSecond = 1_000_000_000,
            OneWayDelay = TimeSpan.FromMilliseconds(20),
            Jitter = TimeSpan.FromMilliseconds(5),
        });
        var offered = new List<long>();
        for (var i = 0; i < 2000; i++)
        {
            offered.Add(_time.GetTimestamp());
            direction.Offer(FullFrame.AsSpan(0, 100), _time.GetTimestamp());
            _time.Advance(spacing);
        }

        var delays = new List<double>();
        var previous = long.MinValue;
        for (var i = 0; direction.TryTakeDue(long.MaxValue, out var frame); i++)
        {
            Assert.True(frame.DueAt >= previous, "frames left out of order");
            previous = frame.DueAt;
            delays.Add(Elapsed(offered[i], frame.DueAt).TotalMilliseconds);
        }

        Assert.Equal(2000, delays.Count);
        return delays;
    }

    private LinkDirection Direction(LinkProfile profile, int seed = 1) =>
        new(profile, _time.TimestampFrequency, _time.GetTimestamp(), seed);

    private TimeSpan Elapsed(long from, long to) =>
        TimeSpan.FromSeconds((to - from) / (double)_time.TimestampFrequency);
}
