using Microsoft.Extensions.Time.Testing;
using SkillVL.Server.Checks;

namespace SkillVL.Server.Tests.Checks;

/// <summary>Issue 17: a room's checks run one at a time and not more often than the interval (ADR 0042), on fake time.</summary>
public sealed class CheckRunGateTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));
    private readonly CheckRunGate _gate;

    public CheckRunGateTests() => _gate = new CheckRunGate(_time);

    [Fact]
    public void TryStart_WhileTheRoomsRunIsGoing_AnswersZero()
    {
        Assert.Null(_gate.TryStart("room1", Interval));

        Assert.Equal(TimeSpan.Zero, _gate.TryStart("room1", Interval));
        Assert.Null(_gate.TryStart("room2", Interval));
    }

    [Fact]
    public void TryStart_SoonerThanTheIntervalAfterTheEnd_SaysHowLongToWait()
    {
        Assert.Null(_gate.TryStart("room1", Interval));
        _time.Advance(TimeSpan.FromSeconds(20));
        _gate.End("room1");
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(3), _gate.TryStart("room1", Interval));

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Null(_gate.TryStart("room1", Interval));
    }

    [Fact]
    public void TryStart_ZeroInterval_AdmitsTheNextRunAtOnce()
    {
        Assert.Null(_gate.TryStart("room1", TimeSpan.Zero));
        _gate.End("room1");

        Assert.Null(_gate.TryStart("room1", TimeSpan.Zero));
    }
}
