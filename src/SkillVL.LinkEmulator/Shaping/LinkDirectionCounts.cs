namespace SkillVL.LinkEmulator.Shaping;

/// <summary>What a <see cref="LinkDirection"/> has seen since it started (cumulative).</summary>
public readonly record struct LinkDirectionCounts(
    long FramesOffered,
    long BytesOffered,
    long FramesDroppedByLoss,
    long BytesDroppedByLoss,
    long FramesDroppedByQueue,
    long BytesDroppedByQueue);
