namespace SkillVL.LinkEmulator.Shaping;

/// <summary>What happened to a frame offered to a <see cref="LinkDirection"/>.</summary>
public enum OfferResult
{
    /// <summary>Queued; it will be due at the far end after the rate limiter and the delay.</summary>
    Accepted,

    /// <summary>Dropped by the random loss model.</summary>
    DroppedByLoss,

    /// <summary>Dropped because the queue in front of the rate limiter was full (tail drop).</summary>
    DroppedByQueue,
}
