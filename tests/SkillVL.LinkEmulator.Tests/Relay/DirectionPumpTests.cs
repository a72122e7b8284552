using Microsoft.Extensions.Time.Testing;
using SkillVL.LinkEmulator.Profiles;
using SkillVL.LinkEmulator.Relay;
using SkillVL.LinkEmulator.Shaping;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Relay;

public sealed class DirectionPumpTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeEndpoint _a;
    private readonly FakeEndpoint _b;

    public DirectionPumpTests()
    {
        _a = new FakeEndpoint("a", _time);
        _b = new FakeEndpoint("b", _time);
    }

    [Fact]
    public void PumpOnce_FrameIsWrittenToTheOtherSideAfterTheDelayAndNotBefore()
    {
        var pump = Pump(new LinkProfile { RateBitsPerSecond = 100_000_000, OneWayDelay = TimeSpan.FromMilliseconds(20) });
        _a.Inject(Frame(1, 1514));

        var next = pump.PumpOnce();
        Assert.Empty(_b.Written);
        Assert.Equal(TimeSpan.FromMilliseconds(20), Ticks(next - _time.GetTimestamp()));

        _time.Advance(TimeSpan.FromMilliseconds(19.9));
        pump.PumpOnce();
        Assert.Empty(_b.Written);

        _time.Advance(TimeSpan.FromMilliseconds(0.1));
        Assert.Equal(long.MaxValue, pump.PumpOnce());
        var (frame, _) = Assert.Single(_b.Written);
        Assert.Equal(Frame(1, 1514), frame);
        Assert.Empty(_a.Written);
    }

    [Fact]
    public void PumpOnce_NoDelayAndTokensToSpare_WritesAtOnce()
    {
        var pump = Pump(new LinkProfile { RateBitsPerSecond = 100_000_000 });
        _a.Inject(Frame(7, 60));

        pump.PumpOnce();

        Assert.Single(_b.Written);
    }

    [Fact]
    public void PumpOnce_SaturatingSource_DeliversTheConfiguredRate()
    {
        // 10 Mbit/s for 2 s of fake time, offered 4× as much as fits; the queue drops the excess.
        const long rate = 10_000_000;
        var pump = Pump(new LinkProfile { RateBitsPerSecond = rate, OneWayDelay = TimeSpan.FromMilliseconds(5) });
        var step = TimeSpan.FromMicroseconds(300);
        var end = TimeSpan.FromSeconds(2);
        for (var t = TimeSpan.Zero; t < end; t += step)
        {
            _a.Inject(Frame(0, 1514));
            pump.PumpOnce();
            _time.Advance(step);
        }

        // Count what arrived between 1 s and 2 s: the link is saturated by then.
        var second = _time.TimestampFrequency;
        var start = _b.Written[0].At;
        var bytes = _b.Written.Where(w => w.At - start >= second && w.At - start < 2 * second).Sum(w => (long)w.Frame.Length);
        Assert.InRange(bytes * 8, rate * 0.99, rate * 1.01);

        var stats = pump.Snapshot();
        Assert.True(stats.Offered.FramesDroppedByQueue > 0);
        Assert.Equal(stats.Offered.FramesOffered - stats.Offered.FramesDroppedByQueue, stats.FramesDelivered + stats.FramesInFlight);
    }

    [Fact]
    public void PumpOnce_ManyFrames_KeepOrderAndRecordLateness()
    {
        var pump = Pump(new LinkProfile { RateBitsPerSecond = 1_000_000_000, OneWayDelay = TimeSpan.FromMilliseconds(1) });
        for (byte i = 0; i < 100; i++)
        {
            _a.Inject(Frame(i, 100));
        }

        pump.PumpOnce();
        pump.PumpOnce();

        // The pump wakes 250 µs after the frames were due.
        _time.Advance(TimeSpan.FromMilliseconds(1.25));
        pump.PumpOnce();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), _b.Written.Select(w => w.Frame[0]));
        var lateness = pump.Snapshot().Lateness;
        Assert.Equal(100, lateness.Frames);
        Assert.InRange(lateness.MeanMicroseconds, 249, 251);
        Assert.InRange(lateness.MaxMicroseconds, 249, 251);
    }

    [Fact]
    public void PumpOnce_SinkDown_CountsTheFrameAsDroppedBySink()
    {
        var pump = Pump(new LinkProfile { RateBitsPerSecond = 100_000_000 });
        _b.Down = true;
        _a.Inject(Frame(1, 100));

        pump.PumpOnce();

        var stats = pump.Snapshot();
        Assert.Equal(1, stats.FramesDroppedBySink);
        Assert.Equal(0, stats.FramesDelivered);
        Assert.Equal(0, stats.FramesInFlight);
    }

    [Fact]
    public void PumpOnce_SteadyTraffic_StopsAllocatingBuffers()
    {
        var pump = Pump(new LinkProfile { RateBitsPerSecond = 100_000_000, OneWayDelay = TimeSpan.FromMilliseconds(20) });
        void RunFor(TimeSpan duration)
        {
            // 97 Mbit/s of full frames (one every 125 µs): just under the rate, so no queue builds up.
            for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromMicroseconds(125))
            {
                _a.Inject(Frame(0, 1514));
                pump.PumpOnce();
                _time.Advance(TimeSpan.FromMicroseconds(125));
            }
        }

        RunFor(TimeSpan.FromSeconds(1));
        var warmedUp = pump.Snapshot().BuffersAllocated;
        RunFor(TimeSpan.FromSeconds(1));

        // 20 ms in flight at one frame per 125 µs is 160 frames; the pool holds about that many and then only reuses.
        Assert.InRange(warmedUp, 150, 200);
        Assert.Equal(warmedUp, pump.Snapshot().BuffersAllocated);
    }

    [Fact]
    public void Relay_TwoPumps_ShapeEachDirectionIndependently()
    {
        var aToB = Pump(new LinkProfile { RateBitsPerSecond = 100_000_000, OneWayDelay = TimeSpan.FromMilliseconds(10) });
        var bToA = new DirectionPump(_b, _a, new LinkDirection(new LinkProfile { RateBitsPerSecond = 100_000_000, OneWayDelay = TimeSpan.FromMilliseconds(30) }, _time.TimestampFrequency, _time.GetTimestamp(), 2), _time, new RelayOptions());
        _a.Inject(Frame(1, 100));
        _b.Inject(Frame(2, 100));
        aToB.PumpOnce();
        bToA.PumpOnce();

        _time.Advance(TimeSpan.FromMilliseconds(10));
        aToB.PumpOnce();
        bToA.PumpOnce();
        Assert.Single(_b.Written);
        Assert.Empty(_a.Written);

        _time.Advance(TimeSpan.FromMilliseconds(20));
        aToB.PumpOnce();
        bToA.PumpOnce();
        Assert.Equal(2, Assert.Single(_a.Written).Frame[0]);
    }

    private static byte[] Frame(byte tag, int length)
    {
        var frame = new byte[length];
        frame[0] = tag;
        return frame;
    }

    private DirectionPump Pump(LinkProfile profile) =>
        new(_a, _b, new LinkDirection(profile, _time.TimestampFrequency, _time.GetTimestamp(), seed: 1), _time, new RelayOptions());

    private TimeSpan Ticks(long timestampTicks) =>
        TimeSpan.FromSeconds(timestampTicks / (double)_time.TimestampFrequency);
}
