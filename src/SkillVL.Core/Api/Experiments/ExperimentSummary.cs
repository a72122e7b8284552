namespace SkillVL.Core.Api.Experiments;

/// <summary>
/// One run directory of <c>skillvl experiment run</c> as the Server lists it (issue 13 Deliver 5, ADR 0029): what a
/// researcher needs to pick one, counted from its results.csv without interpreting the measurements.
/// </summary>
/// <param name="Name">The directory's name, the run's id in the API.</param>
/// <param name="ModifiedAt">The newest change of its results.csv, report.md or the directory itself.</param>
/// <param name="Runs">Complete rows of results.csv (a torn last line is not counted); null without a readable CSV.</param>
/// <param name="Cells">Distinct cells among those rows; null without a readable CSV.</param>
/// <param name="Succeeded">Rows whose outcome is "succeeded"; null without a readable CSV.</param>
/// <param name="HasReport">Whether report.md is there.</param>
public sealed record ExperimentSummary(string Name, DateTimeOffset ModifiedAt, int? Runs, int? Cells, int? Succeeded, bool HasReport);
