namespace SkillVL.Experiments;

/// <summary>One line of results.csv: which run, its cell's levels, when it finished, what it measured.</summary>
public sealed record ResultRow(string RunId, string CellId, int Repetition, IReadOnlyList<string> Levels, DateTimeOffset FinishedUtc, RunMeasurement Measurement)
{
    public ExperimentCell Cell => new(Levels);
}
