using SkillVL.Core.Migration;

namespace SkillVL.Experiments;

/// <summary>
/// The pre-copy model calibrated on part of an experiment's cells and checked on the rest (issue 13 Deliver 3, ADR 0028).
/// Free parameters: the link efficiency e (the model's <see cref="PreCopySettings.Efficiency"/>, default 0.95), which
/// scales every byte's time, and a fixed overhead c per move, which the model does not count (the Server's orchestration,
/// starting the target's QEMU, the mirror's start, polling). Fitted by <see cref="CalibrationFit"/>.
/// </summary>
/// <remarks>
/// A cell takes part when at least one of its runs succeeded (only succeeded runs are measured: a failed or cancelled
/// move's time says nothing about the model) and the model predicts a converging move for it. Those cells, ordered by
/// their id (a hash of their levels, so the order is stable and unrelated to any factor), alternate: the 1st, 3rd, …
/// calibrate, the 2nd, 4th, … are held out. Two parameters need at least <see cref="MinCalibrationCells"/> cells to
/// fit and one held-out cell to test on; with fewer nothing is fitted and <see cref="NotFittedReason"/> says why.
/// </remarks>
public sealed record ModelCalibration
{
    /// <summary>Issue 13's target: median absolute error of total time on the held-out cells.</summary>
    public const double Target = 0.10;

    /// <summary>As many cells as free parameters.</summary>
    public const int MinCalibrationCells = 2;

    public required IReadOnlyList<CalibratedCell> Calibration { get; init; }

    public required IReadOnlyList<CalibratedCell> HeldOut { get; init; }

    /// <summary>Cells that took no part, with why.</summary>
    public required IReadOnlyList<(CellSummary Cell, string Reason)> Excluded { get; init; }

    /// <summary>The fitted link efficiency; null when nothing was fitted.</summary>
    public double? Efficiency { get; init; }

    /// <summary>The fitted fixed overhead per move; null when nothing was fitted.</summary>
    public TimeSpan? Overhead { get; init; }

    /// <summary>Why nothing was fitted, in words; null when the fit ran.</summary>
    public string? NotFittedReason { get; init; }

    /// <summary>Median |error| of the calibrated model over the held-out cells.</summary>
    public double? HeldOutMedianError => Median(HeldOut.Select(c => c.CalibratedError).OfType<double>());

    /// <summary>Median |error| of the uncalibrated model over the same held-out cells.</summary>
    public double? HeldOutMedianModelError => Efficiency is null ? null : Median(HeldOut.Select(c => (double?)c.ModelError).OfType<double>());

    /// <summary>Whether <see cref="HeldOutMedianError"/> is within <see cref="Target"/>.</summary>
    public bool? MeetsTarget => HeldOutMedianError is { } e ? e <= Target : null;

    /// <summary>Splits <paramref name="cells"/>, fits on the calibration half, predicts the held-out half.</summary>
    public static ModelCalibration Of(IReadOnlyList<CellSummary> cells, long templateDataBytes)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var excluded = new List<(CellSummary, string)>();
        var usable = new List<(CellSummary Cell, double Measured, double Model)>();
        foreach (var cell in cells.OrderBy(c => c.Cell.Id, StringComparer.Ordinal))
        {
            if (cell.Total is not { Mean: > 0 } total)
            {
                excluded.Add((cell, "no succeeded run"));
            }
            else if (cell.Prediction is not { Converges: true } prediction)
            {
                excluded.Add((cell, cell.Prediction is null ? "the model refuses its inputs" : "the model predicts no convergence"));
            }
            else
            {
                usable.Add((cell, total.Mean, prediction.TotalTime.TotalSeconds));
            }
        }

        var calibration = usable.Where((_, i) => i % 2 == 0).ToList();
        var heldOut = usable.Where((_, i) => i % 2 == 1).ToList();
        if (calibration.Count < MinCalibrationCells || heldOut.Count == 0)
        {
            return NotFitted(calibration, heldOut, excluded,
                $"not calibrated: {usable.Count} cell{(usable.Count == 1 ? "" : "s")} with a succeeded run and a converging prediction, " +
                $"so {calibration.Count} to calibrate on and {heldOut.Count} to hold out; fitting the two free parameters needs at least " +
                $"{MinCalibrationCells} calibration cells and 1 held-out cell ({MinCalibrationCells + 1} such cells)");
        }

        var fit = CalibrationFit.Fit(calibration.Select(c => (Seconds(c.Cell, templateDataBytes), c.Measured)).ToList());
        if (fit is not { } f)
        {
            return NotFitted(calibration, heldOut, excluded,
                "not calibrated: no link efficiency gives every calibration cell a converging prediction");
        }

        CalibratedCell Calibrated((CellSummary Cell, double Measured, double Model) c) =>
            new(c.Cell, c.Measured, c.Model, Seconds(c.Cell, templateDataBytes)(f.Efficiency) is { } t ? t + f.OverheadSeconds : null);
        return new ModelCalibration
        {
            Calibration = calibration.Select(Calibrated).ToList(),
            HeldOut = heldOut.Select(Calibrated).ToList(),
            Excluded = excluded,
            Efficiency = f.Efficiency,
            Overhead = TimeSpan.FromSeconds(f.OverheadSeconds),
        };
    }

    private static ModelCalibration NotFitted(
        List<(CellSummary Cell, double Measured, double Model)> calibration, List<(CellSummary Cell, double Measured, double Model)> heldOut,
        List<(CellSummary, string)> excluded, string reason) => new()
        {
            Calibration = calibration.Select(c => new CalibratedCell(c.Cell, c.Measured, c.Model, null)).ToList(),
            HeldOut = heldOut.Select(c => new CalibratedCell(c.Cell, c.Measured, c.Model, null)).ToList(),
            Excluded = excluded,
            NotFittedReason = reason,
        };

    /// <summary>The cell's model total seconds as a function of the efficiency; null when it does not converge there.</summary>
    private static Func<double, double?> Seconds(CellSummary cell, long templateDataBytes) =>
        e => ModelPrediction.Predict(cell.Cell, templateDataBytes, e) is { Converges: true } p ? p.TotalTime.TotalSeconds : null;

    /// <summary>The median of the errors' absolute values; null for none.</summary>
    internal static double? Median(IEnumerable<double> errors)
    {
        var sorted = errors.Select(Math.Abs).Order().ToList();
        return sorted.Count == 0 ? null
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
