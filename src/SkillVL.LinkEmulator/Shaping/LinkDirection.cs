using SkillVL.LinkEmulator.Profiles;

namespace SkillVL.LinkEmulator.Shaping;

/// <summary>
/// One direction of an emulated link, without any I/O: frames are offered with their arrival timestamp and
/// taken out when due. On arrival a frame meets, in this order, the loss model (like netem, which drops on
/// enqueue), the bounded queue in front of the rate limiter (tail drop), and the token bucket, which fixes
/// the moment it leaves; then it flies for the one-way delay (± jitter) in the <see cref="DelayLine"/>.
/// </summary>
/// <remarks>
/// Departure times are computed on arrival: for a FIFO with tail drop that is the same schedule a shaper
/// releasing frames one by one would produce, and it lets one thread sleep until exactly the next due time.
/// Single-threaded: one thread offers and takes. Timestamps are ticks of <c>timestampFrequency</c>.
/// </remarks>
public sealed class LinkDirection
{
    private readonly LossModel _loss;
    private readonly Random _jitterRandom;
    private readonly TokenBucket _bucket;
    private readonly QueueBacklog _backlog = new();
    private readonly DelayLine _inFlight = new();
    private readonly FrameBufferPool _pool = new();
    private readonly long _queueLimitBytes;
    private readonly long _delayTicks;
    private readonly long _jitterTicks;
    private long _framesOffered;
    private long _bytesOffered;
    private long _framesDroppedByLoss;
    private long _bytesDroppedByLoss;
    private long _framesDroppedByQueue;
    private long _bytesDroppedByQueue;

    /// <param name="profile">The behaviour; validated here.</param>
    /// <param name="timestampFrequency">Ticks per second of every timestamp passed in (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    /// <param name="start">The timestamp at which the token bucket starts full.</param>
    /// <param name="seed">Seeds the loss and jitter draws (each its own generator, so adding jitter does not change which frames are lost).</param>
    public LinkDirection(LinkProfile profile, long timestampFrequency, long start, int seed)
    {
        profile.Validate();
        Profile = profile;
        TimestampFrequency = timestampFrequency;
        _loss = new LossModel(profile.LossFraction, new Random(seed));
        _jitterRandom = new Random(unchecked(seed * 31 + 17));
        _bucket = new TokenBucket(profile.RateBitsPerSecond, profile.EffectiveBurstBytes, timestampFrequency, start);
        _queueLimitBytes = profile.EffectiveQueueLimitBytes;
        _delayTicks = ToTicks(profile.OneWayDelay, timestampFrequency);
        _jitterTicks = ToTicks(profile.Jitter, timestampFrequency);
    }

    public LinkProfile Profile { get; }

    public long TimestampFrequency { get; }

    /// <summary>
    /// The counters so far. Safe to read from another thread: each is written by the direction's thread only and
    /// a 64-bit read is atomic on the 64-bit platforms this runs on; a snapshot may mix slightly different moments.
    /// </summary>
    public LinkDirectionCounts Counts => new(
        Volatile.Read(ref _framesOffered),
        Volatile.Read(ref _bytesOffered),
        Volatile.Read(ref _framesDroppedByLoss),
        Volatile.Read(ref _bytesDroppedByLoss),
        Volatile.Read(ref _framesDroppedByQueue),
        Volatile.Read(ref _bytesDroppedByQueue));

    /// <summary>When the next frame is due at the far end; <see cref="long.MaxValue"/> when nothing is in flight.</summary>
    public long NextDueAt => _inFlight.NextDueAt;

    /// <summary>Frames admitted and not yet taken (queued for the rate limiter or in flight).</summary>
    public int FramesHeld => _inFlight.Count;

    /// <summary>Buffers the direction's pool has allocated so far (constant once traffic is steady).</summary>
    public long BuffersAllocated => _pool.Allocated;

    /// <summary>Bytes waiting for the rate limiter at <paramref name="now"/> (the queue that <see cref="LinkProfile.QueueLimitBytes"/> bounds).</summary>
    public long QueuedBytes(long now) => _backlog.BytesAt(now);

    /// <summary>Offers a frame that arrived at <paramref name="now"/>; an accepted frame is copied into a pooled buffer.</summary>
    public OfferResult Offer(ReadOnlySpan<byte> frame, long now)
    {
        Volatile.Write(ref _framesOffered, _framesOffered + 1);
        Volatile.Write(ref _bytesOffered, _bytesOffered + frame.Length);
        if (_loss.NextIsLost())
        {
            Volatile.Write(ref _framesDroppedByLoss, _framesDroppedByLoss + 1);
            Volatile.Write(ref _bytesDroppedByLoss, _bytesDroppedByLoss + frame.Length);
            return OfferResult.DroppedByLoss;
        }

        if (_backlog.BytesAt(now) + frame.Length > _queueLimitBytes)
        {
            Volatile.Write(ref _framesDroppedByQueue, _framesDroppedByQueue + 1);
            Volatile.Write(ref _bytesDroppedByQueue, _bytesDroppedByQueue + frame.Length);
            return OfferResult.DroppedByQueue;
        }

        var departAt = _bucket.Reserve(frame.Length, now);
        if (departAt > now)
        {
            _backlog.Add(departAt, frame.Length);
        }

        var buffer = _pool.Rent(frame.Length);
        frame.CopyTo(buffer);
        _inFlight.Enqueue(buffer, frame.Length, departAt + DrawDelayTicks());
        return OfferResult.Accepted;
    }

    /// <summary>Takes the next frame if it is due at <paramref name="now"/>; give it back with <see cref="Release"/> once written.</summary>
    public bool TryTakeDue(long now, out DelayedFrame frame) => _inFlight.TryDequeueDue(now, out frame);

    /// <summary>Returns a taken frame's buffer to the pool.</summary>
    public void Release(in DelayedFrame frame) => _pool.Return(frame.Buffer);

    /// <summary>Drops everything held (shutdown); returns how many frames were discarded.</summary>
    public int Clear()
    {
        var count = 0;
        while (_inFlight.TryDequeueAny(out var frame))
        {
            _pool.Return(frame.Buffer);
            count++;
        }

        return count;
    }

    internal static long ToTicks(TimeSpan duration, long timestampFrequency) =>
        (long)Math.Round(duration.Ticks * (double)timestampFrequency / TimeSpan.TicksPerSecond);

    private long DrawDelayTicks()
    {
        if (_jitterTicks == 0)
        {
            return _delayTicks;
        }

        // Uniform in [delay - jitter, delay + jitter], never negative (netem's default distribution).
        var offset = (long)Math.Round(((_jitterRandom.NextDouble() * 2) - 1) * _jitterTicks);
        return Math.Max(0, _delayTicks + offset);
    }
}
