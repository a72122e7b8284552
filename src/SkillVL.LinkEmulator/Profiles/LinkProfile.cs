using System.Globalization;

namespace SkillVL.LinkEmulator.Profiles;

/// <summary>
/// How one direction of an emulated link behaves: a token-bucket rate limit in front of a bounded FIFO
/// queue (tail drop), a one-way propagation delay with optional jitter, and random loss.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="RateBitsPerSecond"/> counts Ethernet frame bytes as read from the tap: destination, source
/// and EtherType (14 bytes) plus the IP packet; no preamble, FCS or inter-frame gap. That is what
/// <c>tc tbf</c> counts on a Linux Ethernet device, so a profile means the same here and there. TCP goodput
/// over such a link is lower: a full 1514-byte frame carries 1448 bytes of payload with TCP timestamps.
/// </para>
/// <para>
/// <see cref="OneWayDelay"/> is one way. A link built from two directions with the same profile adds
/// twice that to a round trip; <see cref="FromRoundTrip"/> halves an RTT for you.
/// </para>
/// </remarks>
public sealed record LinkProfile
{
    /// <summary>The largest frame a standard 1500-byte MTU gives on a tap (1500 + 14 bytes of Ethernet header).</summary>
    public const int StandardFrameBytes = 1514;

    /// <summary>Rate limit in bits per second of Ethernet frame bytes (see remarks). Required, positive.</summary>
    public required long RateBitsPerSecond { get; init; }

    /// <summary>One-way propagation delay added to every frame after the rate limiter. Default 0.</summary>
    public TimeSpan OneWayDelay { get; init; }

    /// <summary>
    /// Each frame's delay is drawn uniformly from <see cref="OneWayDelay"/> ± this (at least 0). Frames are never
    /// reordered: a frame whose draw would overtake the one before it leaves right after it instead. So when
    /// frames follow each other more closely than the spread (2 × jitter), the mean delay rises above
    /// <see cref="OneWayDelay"/> (20 ms ± 5 ms at one frame per 0.5 ms: mean ≈ 22.6 ms). Default 0.
    /// </summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Probability that a frame is dropped on arrival, 0 to 1 (Bernoulli, independent per frame). Default 0.</summary>
    public double LossFraction { get; init; }

    /// <summary>
    /// Bytes of frames that may wait for the rate limiter; a frame that would exceed it is dropped (tail drop).
    /// Frames already past the limiter and in flight do not count. Null: <see cref="DefaultQueueLimitBytes"/>.
    /// </summary>
    public long? QueueLimitBytes { get; init; }

    /// <summary>Token bucket depth in bytes: how much may pass back to back at line speed. Null: <see cref="DefaultBurstBytes"/>.</summary>
    public long? BurstBytes { get; init; }

    /// <summary>The burst in force: <see cref="BurstBytes"/> or its default.</summary>
    public long EffectiveBurstBytes => BurstBytes ?? DefaultBurstBytes(RateBitsPerSecond);

    /// <summary>The queue limit in force: <see cref="QueueLimitBytes"/> or its default.</summary>
    public long EffectiveQueueLimitBytes => QueueLimitBytes ?? DefaultQueueLimitBytes(RateBitsPerSecond, OneWayDelay, EffectiveBurstBytes);

    /// <summary>
    /// 1 ms worth of traffic, but at least two full frames: small enough that the rate holds on a millisecond
    /// scale, large enough that a full frame always fits (a bucket smaller than a frame would never pass it).
    /// </summary>
    public static long DefaultBurstBytes(long rateBitsPerSecond) =>
        Math.Max(2 * StandardFrameBytes, rateBitsPerSecond / 8 / 1000);

    /// <summary>
    /// One bandwidth-delay product for the round trip of a symmetric link (rate × 2 × one-way delay), at least
    /// 32 KiB, plus the burst. One BDP of buffer at the bottleneck is what a single TCP flow needs to keep the
    /// link busy after it halves its window (the classic rule of Villamizar and Song, 1994).
    /// </summary>
    public static long DefaultQueueLimitBytes(long rateBitsPerSecond, TimeSpan oneWayDelay, long burstBytes)
    {
        var bdp = (long)(rateBitsPerSecond / 8.0 * 2 * oneWayDelay.TotalSeconds);
        return Math.Max(bdp, 32 * 1024) + burstBytes;
    }

    /// <summary>
    /// Builds a profile from the strings a command line or testbed spec gives. <paramref name="delay"/> is
    /// one way; <paramref name="rtt"/> is a round trip, split evenly between the two directions; give at most one.
    /// Field names in errors are the parameter names (rate, delay, rtt, jitter, loss, queue, burst).
    /// </summary>
    /// <exception cref="LinkProfileException">A value is malformed or out of range; the message names it.</exception>
    public static LinkProfile Parse(
        string rate,
        string? delay = null,
        string? rtt = null,
        string? jitter = null,
        string? loss = null,
        string? queue = null,
        string? burst = null)
    {
        if (delay is not null && rtt is not null)
        {
            throw new LinkProfileException("rtt", "give either a one-way delay or a round-trip time, not both");
        }

        var oneWay = delay is not null ? LinkQuantities.ParseDuration("delay", delay)
            : rtt is not null ? LinkQuantities.ParseDuration("rtt", rtt) / 2
            : TimeSpan.Zero;
        var profile = new LinkProfile
        {
            RateBitsPerSecond = LinkQuantities.ParseRate("rate", rate),
            OneWayDelay = oneWay,
            Jitter = jitter is null ? TimeSpan.Zero : LinkQuantities.ParseDuration("jitter", jitter),
            LossFraction = loss is null ? 0 : LinkQuantities.ParsePercentage("loss", loss),
            QueueLimitBytes = queue is null ? null : LinkQuantities.ParseBytes("queue", queue),
            BurstBytes = burst is null ? null : LinkQuantities.ParseBytes("burst", burst),
        };
        profile.Validate();
        return profile;
    }

    /// <summary>A profile whose one-way delay is half of <paramref name="roundTrip"/>.</summary>
    public static LinkProfile FromRoundTrip(long rateBitsPerSecond, TimeSpan roundTrip) =>
        new() { RateBitsPerSecond = rateBitsPerSecond, OneWayDelay = roundTrip / 2 };

    /// <summary>Checks ranges and the relations between fields.</summary>
    /// <exception cref="LinkProfileException">Naming the first field that is wrong.</exception>
    public void Validate()
    {
        if (RateBitsPerSecond < 1)
        {
            throw new LinkProfileException("rate", $"{RateBitsPerSecond} bit/s is not a rate; it must be positive");
        }

        if (OneWayDelay < TimeSpan.Zero || OneWayDelay > TimeSpan.FromHours(1))
        {
            throw new LinkProfileException("delay", $"{Ms(OneWayDelay)} is out of range; between 0ms and 1 hour");
        }

        if (Jitter < TimeSpan.Zero || Jitter > TimeSpan.FromHours(1))
        {
            throw new LinkProfileException("jitter", $"{Ms(Jitter)} is out of range; between 0ms and 1 hour");
        }

        if (!(LossFraction is >= 0 and <= 1))
        {
            throw new LinkProfileException("loss", $"{LossFraction} is out of range; between 0% and 100%");
        }

        if (EffectiveBurstBytes < 64)
        {
            throw new LinkProfileException("burst", $"{EffectiveBurstBytes} bytes is smaller than the smallest Ethernet frame (64 bytes)");
        }

        if (EffectiveQueueLimitBytes < StandardFrameBytes)
        {
            // A queue that cannot hold one full frame would drop every full frame that meets a busy limiter.
            throw new LinkProfileException("queue", $"{EffectiveQueueLimitBytes} bytes is smaller than one full frame ({StandardFrameBytes} bytes)");
        }
    }

    /// <summary>A one-line description for logs: <c>50mbit 20ms±0ms loss 0.1% queue 256000B burst 6250B</c>.</summary>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{LinkQuantities.FormatRate(RateBitsPerSecond)} delay {Ms(OneWayDelay)}±{Ms(Jitter)} loss {LossFraction * 100:0.###}% queue {EffectiveQueueLimitBytes}B burst {EffectiveBurstBytes}B");

    private static string Ms(TimeSpan value) =>
        value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
}
