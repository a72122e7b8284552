namespace SkillVL.LinkEmulator.Relay;

/// <summary>Delay error of delivered frames: mean, an upper bound of the 99th percentile (power-of-two bucket edge), and the maximum, in µs.</summary>
public readonly record struct LatenessSummary(long Frames, double MeanMicroseconds, long P99UpperBoundMicroseconds, long MaxMicroseconds);
