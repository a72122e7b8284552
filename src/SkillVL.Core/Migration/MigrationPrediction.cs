namespace SkillVL.Core.Migration;

/// <summary>
/// What <see cref="PreCopyModel.Predict"/> expects a migration to cost. When it does not converge the numbers are
/// those of forcing the switch-over at the iteration cap (so <see cref="Downtime"/> says how long a pause that
/// would take), or <see cref="TimeSpan.MaxValue"/> when the disk mirror can never catch up.
/// </summary>
public sealed record MigrationPrediction
{
    /// <summary>The phases that run, in order (BaseImage only when the target lacks the base).</summary>
    public required IReadOnlyList<MigrationPhasePrediction> Phases { get; init; }

    /// <summary>Pre-copy rounds n before the stop-and-copy (the research's n).</summary>
    public required int Rounds { get; init; }

    /// <summary>RAM bytes (uncompressed) of each pre-copy round, V_0 … V_{n−1}.</summary>
    public required IReadOnlyList<long> RoundBytes { get; init; }

    /// <summary>RAM bytes (uncompressed) left for the stop-and-copy, V_n.</summary>
    public required long FinalDirtyBytes { get; init; }

    /// <summary>Rate at which RAM pages (uncompressed) cross during the RAM phase, R.</summary>
    public required DataRate RamRate { get; init; }

    /// <summary>λ = D / R; pre-copy converges only below 1.</summary>
    public required double DirtyRatio { get; init; }

    /// <summary>Whether pre-copy reaches the downtime limit within the iteration cap and the mirror catches up.</summary>
    public required bool Converges { get; init; }

    /// <summary>Why it does not converge, for the UI and logs; null when it does.</summary>
    public string? NonConvergenceReason { get; init; }

    /// <summary>Sum of the phases' bytes.</summary>
    public required long TotalBytes { get; init; }

    /// <summary>Sum of the phases' durations, from start to the guest running on the target.</summary>
    public required TimeSpan TotalTime { get; init; }

    /// <summary>How long the guest is paused at switch-over.</summary>
    public required TimeSpan Downtime { get; init; }

    /// <summary>The prediction of one phase, or null when that phase does not run.</summary>
    public MigrationPhasePrediction? Phase(MigrationPhase phase) => Phases.FirstOrDefault(p => p.Phase == phase);
}
