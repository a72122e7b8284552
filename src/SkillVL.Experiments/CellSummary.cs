using SkillVL.Core.Migration;

namespace SkillVL.Experiments;

/// <summary>A cell's runs from results.csv, summarised: means and 95 % CIs over its succeeded repetitions, and the
/// model's prediction for it.</summary>
public sealed record CellSummary(ExperimentCell Cell, IReadOnlyList<ResultRow> Runs, MigrationPrediction? Prediction)
{
    public IReadOnlyList<RunMeasurement> Succeeded => Runs.Select(r => r.Measurement).Where(m => m.Outcome == RunMeasurement.Succeeded).ToList();

    public (double Mean, double? HalfWidth)? Total => Of(m => m.TotalSeconds);

    public (double Mean, double? HalfWidth)? DowntimeQemu => Of(m => m.DowntimeQemuMs);

    public (double Mean, double? HalfWidth)? DowntimeProbe => Of(m => m.DowntimeProbeMs);

    public (double Mean, double? HalfWidth)? LinkMiB => Of(m => m.LinkBytes / 1048576.0);

    public (double Mean, double? HalfWidth)? Throughput => Of(m => m.ThroughputMbit);

    /// <summary>(model − measured) ÷ measured of the mean total time.</summary>
    public double? TotalError => Total is { } t && t.Mean > 0 && Prediction is { Converges: true } p ? (p.TotalTime.TotalSeconds - t.Mean) / t.Mean : null;

    /// <summary>(model − measured) ÷ measured of the mean QEMU downtime.</summary>
    public double? DowntimeError => DowntimeQemu is { } d && d.Mean > 0 && Prediction is { Converges: true } p ? (p.Downtime.TotalMilliseconds - d.Mean) / d.Mean : null;

    /// <summary>Groups <paramref name="rows"/> by cell, in the order cells first appear.</summary>
    public static IReadOnlyList<CellSummary> Of(IReadOnlyList<ResultRow> rows, long templateDataBytes)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.GroupBy(r => r.CellId)
            .Select(g => new CellSummary(g.First().Cell, g.ToList(), ModelPrediction.Predict(g.First().Cell, templateDataBytes)))
            .OrderBy(s => s.Cell.Key, StringComparer.Ordinal)
            .ToList();
    }

    private (double Mean, double? HalfWidth)? Of(Func<RunMeasurement, double?> value)
    {
        var values = Succeeded.Select(value).OfType<double>().ToList();
        return values.Count == 0 ? null : Statistics.MeanCi95(values);
    }
}
