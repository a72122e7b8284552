using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SkillVL.Experiments;

/// <summary>
/// report.md and the plots, rebuilt from results.csv (and environment.json, when there) alone, so
/// <c>skillvl experiment report DIR</c> gives the same report as the run did and a run's directory is all a reader needs.
/// </summary>
public static class ReportWriter
{
    public const string FileName = "report.md";

    /// <summary>Writes report.md and plots/ in <paramref name="directory"/>; the report's text.</summary>
    /// <exception cref="InvalidDataException">No results.csv, or one of another version.</exception>
    public static string Write(string directory)
    {
        var csv = Path.Combine(directory, ResultsCsv.FileName);
        if (!File.Exists(csv))
        {
            throw new InvalidDataException($"{csv}: no results (run `skillvl experiment run SPEC --out {directory}` first)");
        }

        var rows = ResultsCsv.Read(csv);
        var environment = EnvironmentInfo.Read(directory);
        var cells = CellSummary.Of(rows, environment?.TemplateDataBytes ?? 0);
        var plots = PlotWriter.Write(directory, cells);
        if (ServicePlot.Write(directory, rows) is { } service)
        {
            plots = [.. plots, service];
        }

        if (ServicePlot.WriteVxlan(directory, cells) is { } vxlan)
        {
            plots = [.. plots, vxlan];
        }
        var report = Build(rows, cells, environment, plots);
        File.WriteAllText(Path.Combine(directory, FileName), report);
        return report;
    }

    public static string Build(IReadOnlyList<ResultRow> rows, IReadOnlyList<CellSummary> cells, EnvironmentInfo? environment, IReadOnlyList<(string Name, string Title)> plots)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(plots);
        var varied = Factor.All.Select((f, i) => (f.Name, i)).Where(f => cells.Select(c => c.Cell.Levels[f.i]).Distinct().Count() > 1).ToList();
        var fixedLevels = Factor.All.Select((f, i) => (f.Name, i)).Except(varied).Where(_ => cells.Count > 0)
            .Select(f => $"{f.Name} {cells[0].Cell.Levels[f.i]}");
        var s = new StringBuilder();
        s.AppendLine("# Experiment report").AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"{rows.Count} runs in {cells.Count} cells ({rows.Count(r => r.Measurement.Outcome == RunMeasurement.Succeeded)} succeeded). Held fixed: {string.Join(", ", fixedLevels)}.");
        if (environment is not null)
        {
            s.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Environment: QEMU {environment.Qemu}, kernel {environment.Kernel}, {environment.Cpu} ({environment.Cores} cores), accelerator {environment.Accelerator}, SkillVL {environment.Commit}, .NET {environment.DotNet}; template data {environment.TemplateDataBytes >> 20} MiB.");
        }

        s.AppendLine().AppendLine("Means over the succeeded repetitions, ± the 95 % confidence interval's half width (Student t; none for one run). "
            + "**Model** is the pre-copy model's prediction for the cell (PreCopyModel; for skillvl the policy's plan), **error** = (model − measured) ÷ measured.").AppendLine();
        s.Append("| cell |");
        foreach (var (name, _) in varied)
        {
            s.Append(CultureInfo.InvariantCulture, $" {name} |");
        }

        s.AppendLine(" runs ok | total s | model total s | error | downtime ms (QEMU) | model downtime ms | error | downtime ms (probe) | MiB on the link | Mbit/s |");
        s.Append("|---|").Append(string.Concat(varied.Select(_ => "---|"))).AppendLine("---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var cell in cells)
        {
            s.Append(CultureInfo.InvariantCulture, $"| {cell.Cell.Id} |");
            foreach (var (_, i) in varied)
            {
                s.Append(CultureInfo.InvariantCulture, $" {cell.Cell.Levels[i]} |");
            }

            var p = cell.Prediction;
            var modelTotal = p is null ? "—" : p.Converges ? F(p.TotalTime.TotalSeconds, "0.0") : "does not converge";
            var modelDown = p is null || !p.Converges ? "—" : F(p.Downtime.TotalMilliseconds, "0");
            s.AppendLine(CultureInfo.InvariantCulture,
                $" {cell.Succeeded.Count}/{cell.Runs.Count} | {Ci(cell.Total, "0.0")} | {modelTotal} | {Pct(cell.TotalError)} | {Ci(cell.DowntimeQemu, "0")} | {modelDown} | {Pct(cell.DowntimeError)} | {Ci(cell.DowntimeProbe, "0")} | {Ci(cell.LinkMiB, "0.0")} | {Ci(cell.Throughput, "0.0")} |");
        }

        var errors = cells.Select(c => c.TotalError).OfType<double>().Select(Math.Abs).Order().ToList();
        if (errors.Count > 0)
        {
            s.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Model vs measured, total time: median absolute error {Pct(errors[errors.Count / 2])} over {errors.Count} cells (uncalibrated: the model's published constants; calibrated below).");
        }

        var failed = rows.Where(r => r.Measurement.Outcome != RunMeasurement.Succeeded).ToList();
        if (failed.Count > 0)
        {
            s.AppendLine().AppendLine("Runs that did not succeed:").AppendLine();
            foreach (var run in failed)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"- {run.RunId}: {run.Measurement.Outcome}: {(run.Measurement.Error ?? "no reason given").ReplaceLineEndings(" ")}");
            }
        }

        if (ServiceSection.Build(cells, varied) is { Length: > 0 } serviceSection)
        {
            s.AppendLine().Append(serviceSection);
        }

        s.AppendLine().Append(CalibrationSection.Build(ModelCalibration.Of(cells, environment?.TemplateDataBytes ?? 0), varied));

        s.AppendLine().AppendLine("## Plots").AppendLine();
        foreach (var (name, title) in plots)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"![{title}]({PlotWriter.Directory}/{name}.png) ([SVG]({PlotWriter.Directory}/{name}.svg))").AppendLine();
        }

        foreach (var (title, reason) in PlotWriter.NotDrawn(cells))
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"{title}: not drawn, {reason}.").AppendLine();
        }

        return s.ToString();
    }

    private static string Ci((double Mean, double? HalfWidth)? value, string format) => value switch
    {
        null => "—",
        { HalfWidth: { } h } v => $"{F(v.Mean, format)} ± {F(h, format)}",
        { } v => F(v.Mean, format),
    };

    private static string Pct(double? ratio) => ratio is { } r ? (r * 100).ToString("+0;-0;0", CultureInfo.InvariantCulture) + " %" : "—";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    internal static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
