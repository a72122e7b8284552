namespace SkillVL.Experiments;

/// <summary>How a factor's level is written and checked.</summary>
public enum FactorKind
{
    /// <summary>Bytes as rooms write memory: 128Mi, 2Gi.</summary>
    Size,

    /// <summary>A rate as migrations take it: 50Mbit, 20MiB/s.</summary>
    Rate,

    /// <summary>A duration: 40ms, 1s.</summary>
    Duration,

    /// <summary>A whole number ≥ 1.</summary>
    Count,

    /// <summary>One of a fixed list of words (<see cref="Factor.Choices"/>).</summary>
    Choice,

    /// <summary>A percentage with its sign, as Core's <c>Percentage</c> reads it: 0%, 0.1%.</summary>
    Percentage,
}
