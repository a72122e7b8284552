namespace SkillVL.Experiments;

/// <summary>One run of a cell; <see cref="RunId"/> ("c1a2b3c4-r2") is what results.csv and <c>--resume</c> count by.</summary>
public sealed record PlannedRun(ExperimentCell Cell, int Repetition)
{
    public string RunId => $"{Cell.Id}-r{Repetition.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
