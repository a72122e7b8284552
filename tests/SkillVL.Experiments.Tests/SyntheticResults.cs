namespace SkillVL.Experiments.Tests;

/// <summary>Cells from a spec's factors and rows whose measured time a test chooses, so a fit has known answers.</summary>
internal static class SyntheticResults
{
    public const long TemplateBytes = 11L << 20;

    public static IReadOnlyList<ExperimentCell> Cells(string factors) =>
        ExperimentSpecParser.Parse($"factors: {factors}", "t", new ExperimentLimits(64L << 30)).Cells;

    /// <summary>Two succeeded runs per cell, at seconds(cell) ∓ 0.5 s (so the mean is seconds(cell)).</summary>
    public static List<ResultRow> Rows(IEnumerable<ExperimentCell> cells, Func<ExperimentCell, double> seconds) =>
        cells.SelectMany(cell => new[] { (1, -0.5), (2, 0.5) }.Select(r => Row(cell, r.Item1, RunMeasurement.Succeeded, seconds(cell) + r.Item2))).ToList();

    public static ResultRow Row(ExperimentCell cell, int repetition, string outcome, double? seconds) =>
        new(new PlannedRun(cell, repetition).RunId, cell.Id, repetition, cell.Levels, DateTimeOffset.UnixEpoch,
            new RunMeasurement(outcome, seconds, 250, null, 80L << 20, 70L << 20, 0, 0, outcome == RunMeasurement.Succeeded ? null : "broke"));

    /// <summary>What the model predicts with <paramref name="efficiency"/>, plus <paramref name="overheadSeconds"/>.</summary>
    public static Func<ExperimentCell, double> Truth(double efficiency, double overheadSeconds) =>
        cell => ModelPrediction.Predict(cell, TemplateBytes, efficiency)!.TotalTime.TotalSeconds + overheadSeconds;

    public static IReadOnlyList<CellSummary> Summaries(IReadOnlyList<ResultRow> rows) => CellSummary.Of(rows, TemplateBytes);
}
