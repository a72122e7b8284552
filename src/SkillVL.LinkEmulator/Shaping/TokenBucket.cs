namespace SkillVL.LinkEmulator.Shaping;

/// <summary>
/// A token bucket in virtual time: tokens (bytes) accrue at the rate up to the burst; a frame leaves when the
/// bucket holds its size. <see cref="Reserve"/> answers, for frames in FIFO order, the exact timestamp at which
/// each one leaves, so the caller can schedule it instead of polling the bucket — a late wake-up then delays
/// the delivery of one frame but never shifts the departure times of the frames after it (no rate drift).
/// </summary>
/// <remarks>Timestamps are in ticks of a <see cref="TimeProvider"/>'s <see cref="TimeProvider.TimestampFrequency"/>.</remarks>
public sealed class TokenBucket
{
    private readonly double _bytesPerTick;
    private readonly double _burstBytes;
    private double _tokens;
    private long _at;

    /// <param name="rateBitsPerSecond">Fill rate.</param>
    /// <param name="burstBytes">Bucket depth; the bucket starts full.</param>
    /// <param name="timestampFrequency">Ticks per second of the timestamps passed in.</param>
    /// <param name="start">Timestamp at which the bucket is full.</param>
    public TokenBucket(long rateBitsPerSecond, long burstBytes, long timestampFrequency, long start)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rateBitsPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burstBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(timestampFrequency, 1);
        _bytesPerTick = rateBitsPerSecond / 8.0 / timestampFrequency;
        _burstBytes = burstBytes;
        _tokens = burstBytes;
        _at = start;
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> tokens for a frame that is ready at <paramref name="ready"/> and returns
    /// when it leaves: <paramref name="ready"/> if the bucket holds enough, else the moment it will. Calls must
    /// come in departure order (FIFO); a frame larger than the burst waits until the bucket holds its size.
    /// </summary>
    public long Reserve(int bytes, long ready)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var t = Math.Max(ready, _at);

        // A frame larger than the burst could never pass a strictly capped bucket: let the bucket fill to its size.
        var cap = Math.Max(_burstBytes, bytes);
        var tokens = Math.Min(cap, _tokens + ((t - _at) * _bytesPerTick));
        if (tokens < bytes)
        {
            var wait = (long)Math.Ceiling((bytes - tokens) / _bytesPerTick);
            t += wait;
            tokens += wait * _bytesPerTick;
        }

        _tokens = tokens - bytes;
        _at = t;
        return t;
    }

    /// <summary>Tokens in the bucket at <paramref name="now"/> (not before the last reservation), for tests and stats.</summary>
    public double TokensAt(long now) =>
        Math.Min(_burstBytes, _tokens + (Math.Max(0, now - _at) * _bytesPerTick));
}
