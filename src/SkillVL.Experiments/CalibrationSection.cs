using System.Globalization;
using System.Text;

namespace SkillVL.Experiments;

/// <summary>
/// The report's "Model calibration" section: the fitted parameters, every held-out cell's measured mean beside the
/// model before and after calibration, the median absolute error against issue 13's ≤ 10 % target, and where it misses.
/// </summary>
public static class CalibrationSection
{
    public const string Heading = "## Model calibration";

    /// <summary>The section's Markdown, starting with <see cref="Heading"/>.</summary>
    /// <param name="varied">The factors the experiment varied (name, index into a cell's levels), as the cell table's columns.</param>
    public static string Build(ModelCalibration calibration, IReadOnlyList<(string Name, int Index)> varied)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(varied);
        var s = new StringBuilder();
        s.AppendLine(Heading).AppendLine();
        s.AppendLine("The model's free parameters — the link efficiency e (the share of the link's rate that carries migration payload; "
            + "the model's default is 0.95) and a fixed overhead c per move (what the model does not count: the Server's orchestration, "
            + "starting the target's QEMU, the mirror's start) — are fitted by least squares on the relative error of total time on the "
            + "calibration cells, and the calibrated model (the model with e, plus c) is judged on the held-out cells. The cells with a "
            + "succeeded run and a converging prediction alternate in the order of their ids (a hash of their levels): the 1st, 3rd, … "
            + "calibrate, the others are held out (ADR 0028).").AppendLine();

        if (calibration.NotFittedReason is { } reason)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"The model is {reason}.");
            AppendExcluded(s, calibration);
            return s.ToString();
        }

        s.AppendLine(CultureInfo.InvariantCulture,
            $"Fitted on {calibration.Calibration.Count} cells: **e = {F(calibration.Efficiency!.Value, "0.000")}**{Bound(calibration.Efficiency.Value)}, "
            + $"**c = {F(calibration.Overhead!.Value.TotalSeconds, "0.0")} s**. Calibration cells' median absolute error "
            + $"{Abs(MedianAbs(calibration.Calibration))} (uncalibrated {Abs(MedianAbs(calibration.Calibration, calibrated: false))}).");
        s.AppendLine().AppendLine("Held-out cells:").AppendLine();
        s.Append("| cell |");
        foreach (var (name, _) in varied)
        {
            s.Append(CultureInfo.InvariantCulture, $" {name} |");
        }

        s.AppendLine(" measured total s | model s | error | calibrated s | error |");
        s.Append("|---|").Append(string.Concat(varied.Select(_ => "---|"))).AppendLine("---:|---:|---:|---:|---:|");
        foreach (var cell in calibration.HeldOut)
        {
            s.Append(CultureInfo.InvariantCulture, $"| {cell.Summary.Cell.Id} |");
            foreach (var (_, i) in varied)
            {
                s.Append(CultureInfo.InvariantCulture, $" {cell.Summary.Cell.Levels[i]} |");
            }

            s.AppendLine(CultureInfo.InvariantCulture,
                $" {F(cell.MeasuredSeconds, "0.0")} | {F(cell.ModelSeconds, "0.0")} | {Pct(cell.ModelError)} | {(cell.CalibratedSeconds is { } c ? F(c, "0.0") : "—")} | {Pct(cell.CalibratedError)} |");
        }

        var target = Abs(ModelCalibration.Target);
        var verdict = calibration.MeetsTarget == true ? "meets" : "misses";
        s.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Held out, total time: median absolute error **{Abs(calibration.HeldOutMedianError)}** over {calibration.HeldOut.Count} cells calibrated (uncalibrated {Abs(calibration.HeldOutMedianModelError)}): {verdict} the ≤ {target} target.");
        var misses = calibration.HeldOut.Where(c => Math.Abs(c.CalibratedError ?? 0) > ModelCalibration.Target)
            .Select(c => $"{c.Summary.Cell.Id} ({string.Join(", ", varied.Select(v => $"{v.Name} {c.Summary.Cell.Levels[v.Index]}"))}) {Pct(c.CalibratedError)}")
            .ToList();
        if (misses.Count > 0)
        {
            s.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Held-out cells the calibrated model misses by more than {target}: {string.Join("; ", misses)}.");
        }

        AppendExcluded(s, calibration);
        return s.ToString();
    }

    private static void AppendExcluded(StringBuilder s, ModelCalibration calibration)
    {
        if (calibration.Excluded.Count > 0)
        {
            s.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Not used: {string.Join("; ", calibration.Excluded.Select(e => $"{e.Cell.Cell.Id} ({e.Reason})"))}.");
        }
    }

    private static string Bound(double efficiency) =>
        efficiency >= CalibrationFit.MaxEfficiency - 1e-6 ? " (at its upper bound, the model's limit: the fit would go higher, i.e. the calibration cells' times grow with their bytes more slowly than even a fully used link predicts — compression the model does not count, or too few cells to separate e from c)"
        : efficiency <= CalibrationFit.MinEfficiency + 1e-6 ? " (at its lower bound)"
        : "";

    private static double? MedianAbs(IReadOnlyList<CalibratedCell> cells, bool calibrated = true) =>
        ModelCalibration.Median(cells.Select(c => calibrated ? c.CalibratedError : c.ModelError).OfType<double>());

    private static string Pct(double? ratio) => ratio is { } r ? (r * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " %" : "—";

    private static string Abs(double? ratio) => ratio is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "—";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
