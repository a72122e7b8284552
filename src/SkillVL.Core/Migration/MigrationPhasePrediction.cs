namespace SkillVL.Core.Migration;

/// <summary>One phase of a <see cref="MigrationPrediction"/>.</summary>
/// <param name="Phase">Which phase.</param>
/// <param name="Bytes">Bytes on the link during the phase (compressed bytes when RAM is compressed; mirrored disk
/// writes count in the phase they happen in).</param>
/// <param name="Duration">How long it takes; <see cref="TimeSpan.MaxValue"/> if it never finishes.</param>
public sealed record MigrationPhasePrediction(MigrationPhase Phase, long Bytes, TimeSpan Duration);
