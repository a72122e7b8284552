namespace SkillVL.Experiments;

/// <summary>One cell of <see cref="ModelCalibration"/>: its measured mean total time beside the model's prediction
/// before and after the fit.</summary>
/// <param name="Summary">The cell and its runs.</param>
/// <param name="MeasuredSeconds">Mean total time over the cell's succeeded runs.</param>
/// <param name="ModelSeconds">The uncalibrated model's total time (the model's default efficiency, no overhead).</param>
/// <param name="CalibratedSeconds">The calibrated model's total time; null when nothing was fitted.</param>
public sealed record CalibratedCell(CellSummary Summary, double MeasuredSeconds, double ModelSeconds, double? CalibratedSeconds)
{
    /// <summary>(model − measured) ÷ measured, uncalibrated.</summary>
    public double ModelError => (ModelSeconds - MeasuredSeconds) / MeasuredSeconds;

    /// <summary>(calibrated − measured) ÷ measured; null when nothing was fitted.</summary>
    public double? CalibratedError => CalibratedSeconds is { } c ? (c - MeasuredSeconds) / MeasuredSeconds : null;
}
