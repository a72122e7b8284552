using System.Runtime.CompilerServices;
using SkillVL.LinkEmulator.Profiles;
using SkillVL.LinkEmulator.Shaping;

namespace SkillVL.LinkEmulator.Relay;

/// <summary>
/// Moves frames one way: reads what the source endpoint has, offers it to the <see cref="LinkDirection"/>,
/// and writes due frames to the sink. <see cref="PumpOnce"/> does one round without waiting (unit tests
/// drive it with a fake clock); <see cref="Run"/> loops on a dedicated thread and sleeps in between, either in
/// the source's <see cref="IFrameEndpoint.WaitReadable"/> (woken by a new frame or by the next due time) or,
/// for very short waits, spinning.
/// </summary>
public sealed class DirectionPump
{
    /// <summary>Frames read per round before due frames get their turn again, so a flood cannot delay deliveries.</summary>
    private const int ReadBatch = 64;

    private readonly IFrameEndpoint _source;
    private readonly IFrameEndpoint _sink;
    private readonly LinkDirection _direction;
    private readonly TimeProvider _time;
    private readonly byte[] _scratch = new byte[FrameBufferPool.MaxFrameBytes];
    private readonly LatenessHistogram _lateness = new();
    private readonly long _spinTicks;
    private readonly long _maxIdleTicks;
    private readonly double _microsecondsPerTick;
    private long _framesDelivered;
    private long _bytesDelivered;
    private long _framesDroppedBySink;
    private long _queuedBytes;
    private long _framesInFlight;
    private long _buffersAllocated;

    public DirectionPump(IFrameEndpoint source, IFrameEndpoint sink, LinkDirection direction, TimeProvider time, RelayOptions options)
    {
        _source = source;
        _sink = sink;
        _direction = direction;
        _time = time;
        _spinTicks = LinkDirection.ToTicks(options.SpinThreshold, time.TimestampFrequency);
        _maxIdleTicks = Math.Max(1, LinkDirection.ToTicks(options.MaxIdleWait, time.TimestampFrequency));
        _microsecondsPerTick = 1e6 / time.TimestampFrequency;
    }

    public LinkDirection Direction => _direction;

    /// <summary>Reads waiting frames (one batch) and writes every frame that is due; returns when the next frame is due (<see cref="long.MaxValue"/>: none in flight).</summary>
    /// <exception cref="IOException">An endpoint is gone for good.</exception>
    public long PumpOnce()
    {
        Deliver(_time.GetTimestamp());
        for (var i = 0; i < ReadBatch; i++)
        {
            var length = _source.TryRead(_scratch);
            if (length == 0)
            {
                break;
            }

            // The arrival time is taken per frame: the delay and the token bucket start from the moment it was read.
            _direction.Offer(_scratch.AsSpan(0, length), _time.GetTimestamp());
        }

        // A frame with no delay and tokens to spare is due at once.
        var now = _time.GetTimestamp();
        Deliver(now);
        Volatile.Write(ref _queuedBytes, _direction.QueuedBytes(now));
        Volatile.Write(ref _framesInFlight, _direction.FramesHeld);
        Volatile.Write(ref _buffersAllocated, _direction.BuffersAllocated);
        return _direction.NextDueAt;
    }

    /// <summary>Pumps until <paramref name="cancellationToken"/> is cancelled; sleeps until the next frame arrives or is due.</summary>
    /// <exception cref="IOException">An endpoint is gone for good.</exception>
    /// <remarks>
    /// Compiled fully optimised up front: a tiered loop that runs forever is recompiled on the spot (on-stack
    /// replacement) after enough iterations, and that compilation stalled a delivery by 7 ms in a first test.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var next = PumpOnce();
                var wait = next == long.MaxValue ? _maxIdleTicks : next - _time.GetTimestamp();
                if (wait <= 0)
                {
                    continue;
                }

                if (wait <= _spinTicks)
                {
                    while (_time.GetTimestamp() < next)
                    {
                        Thread.SpinWait(10);
                    }

                    continue;
                }

                var ticks = Math.Min(wait, _maxIdleTicks);
                _source.WaitReadable(TimeSpan.FromTicks((long)(ticks * (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency)));
            }
        }
        finally
        {
            _direction.Clear();
        }
    }

    /// <summary>
    /// Runs the offer and delivery code a few times on a private direction between in-memory endpoints and has
    /// <paramref name="endpoints"/>' read and write methods compiled, so the JIT does its work before the first
    /// real frame rather than on it (without this the first ping through a fresh emulator was ~1 ms late).
    /// </summary>
    public static void WarmUp(TimeProvider time, params IFrameEndpoint[] endpoints)
    {
        var loopback = new LoopbackEndpoint();
        var direction = new LinkDirection(new LinkProfile { RateBitsPerSecond = 1_000_000_000 }, time.TimestampFrequency, time.GetTimestamp(), seed: 0);
        var pump = new DirectionPump(loopback, loopback, direction, time, new RelayOptions());
        for (var i = 0; i < 3; i++)
        {
            loopback.Pending.Enqueue(new byte[64]);
            pump.PumpOnce();
        }

        foreach (var type in endpoints.Select(e => e.GetType()).Distinct())
        {
            foreach (var name in (string[])[nameof(IFrameEndpoint.TryRead), nameof(IFrameEndpoint.TryWrite), nameof(IFrameEndpoint.WaitReadable)])
            {
                if (type.GetMethod(name) is { IsGenericMethodDefinition: false } method)
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }
        }
    }

    public DirectionStats Snapshot() => new(
        _source.Name,
        _sink.Name,
        _direction.Counts,
        Volatile.Read(ref _framesDelivered),
        Volatile.Read(ref _bytesDelivered),
        Volatile.Read(ref _framesDroppedBySink),
        Volatile.Read(ref _queuedBytes),
        Volatile.Read(ref _framesInFlight),
        Volatile.Read(ref _buffersAllocated),
        _lateness.Summarize());

    private void Deliver(long now)
    {
        while (_direction.TryTakeDue(now, out var frame))
        {
            _lateness.Record((long)((now - frame.DueAt) * _microsecondsPerTick));
            if (_sink.TryWrite(frame.Span))
            {
                Volatile.Write(ref _framesDelivered, _framesDelivered + 1);
                Volatile.Write(ref _bytesDelivered, _bytesDelivered + frame.Length);
            }
            else
            {
                Volatile.Write(ref _framesDroppedBySink, _framesDroppedBySink + 1);
            }

            _direction.Release(frame);
        }
    }
}
