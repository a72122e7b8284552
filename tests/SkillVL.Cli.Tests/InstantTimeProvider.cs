namespace SkillVL.Cli.Tests;

/// <summary>
/// A clock where every wait ends at once and moves the clock on by its length, recording it, so a test can
/// see what a poller waited (device login: the interval, then more after "slow_down") without waiting.
/// </summary>
internal sealed class InstantTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly List<TimeSpan> waits = [];
    private TimeSpan elapsed;

    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (waits)
            {
                return [.. waits];
            }
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (waits)
        {
            return start + elapsed;
        }
    }

    public override long GetTimestamp()
    {
        lock (waits)
        {
            return elapsed.Ticks;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (waits)
        {
            waits.Add(dueTime);
            elapsed += dueTime;
        }

        // A real timer due now: it fires on the thread pool once whoever made it has stored it.
        return new Timer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}
