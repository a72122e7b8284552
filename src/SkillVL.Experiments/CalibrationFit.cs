namespace SkillVL.Experiments;

/// <summary>
/// The least-squares fit behind <see cref="ModelCalibration"/>: the calibrated total time of a cell is
/// T(e) + c, the pre-copy model's total time with link efficiency e plus a fixed overhead c per move, and (e, c)
/// minimise Σ ((T_i(e) + c − m_i) ÷ m_i)² over the calibration cells' measured means m_i. Relative error, because the
/// cells span a 5 s move and a 30 min one and the target (≤ 10 %) is relative too.
/// </summary>
/// <remarks>
/// For a fixed e the objective is a quadratic in c, so c has a closed form: with w_i = 1 ÷ m_i²,
/// c = Σ w_i (m_i − T_i) ÷ Σ w_i, held at ≥ 0 (an overhead that saves time is no overhead; the quadratic is convex, so
/// the clamp is the constrained optimum). T(e) is not linear in 1 ÷ e (RTTs, the resume time and the dirty-page series
/// do not scale with the rate), so e is searched: a grid of <see cref="GridStep"/> over
/// [<see cref="MinEfficiency"/>, <see cref="MaxEfficiency"/>], then a golden-section search within a step either side of
/// the grid's best. No dependency, about 140 model runs per cell.
/// </remarks>
public static class CalibrationFit
{
    /// <summary>The lowest efficiency searched: a link that carries 2 % of its rate is a broken link, not a model's
    /// constant.</summary>
    public const double MinEfficiency = 0.02;

    /// <summary>The highest: the model's own bound (MigrationRequestValidator: 0 &lt; e ≤ 1).</summary>
    public const double MaxEfficiency = 1;

    private const double GridStep = 0.01;
    private const int GoldenIterations = 40;

    /// <summary>Fits (e, c) to <paramref name="points"/>.</summary>
    /// <param name="points">Per calibration cell: the model's total seconds for an efficiency (null when the model gives
    /// none or does not converge at that efficiency: that efficiency is then ruled out) and the measured mean seconds
    /// (&gt; 0).</param>
    /// <returns>The fit, or null when no efficiency gives every cell a prediction.</returns>
    public static (double Efficiency, double OverheadSeconds)? Fit(IReadOnlyList<(Func<double, double?> ModelSeconds, double MeasuredSeconds)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0 || points.Any(p => !(p.MeasuredSeconds > 0)))
        {
            throw new ArgumentException("needs calibration cells with a measured time above 0", nameof(points));
        }

        var best = double.NaN;
        var bestObjective = double.PositiveInfinity;
        var steps = (int)Math.Round((MaxEfficiency - MinEfficiency) / GridStep);
        for (var i = 0; i <= steps; i++)
        {
            var e = Math.Min(MaxEfficiency, MinEfficiency + (i * GridStep)); // 0.02 + 98 · 0.01 may round above 1
            var objective = Evaluate(points, e).Objective;
            if (objective < bestObjective)
            {
                (best, bestObjective) = (e, objective);
            }
        }

        if (double.IsNaN(best))
        {
            return null;
        }

        // Golden-section search in [best − step, best + step] ∩ the bounds: the grid found the valley, this finds its floor.
        var lo = Math.Max(MinEfficiency, best - GridStep);
        var hi = Math.Min(MaxEfficiency, best + GridStep);
        var ratio = (Math.Sqrt(5) - 1) / 2;
        var a = hi - (ratio * (hi - lo));
        var b = lo + (ratio * (hi - lo));
        var fa = Evaluate(points, a).Objective;
        var fb = Evaluate(points, b).Objective;
        for (var i = 0; i < GoldenIterations; i++)
        {
            if (fa <= fb)
            {
                (hi, b, fb) = (b, a, fa);
                a = hi - (ratio * (hi - lo));
                fa = Evaluate(points, a).Objective;
            }
            else
            {
                (lo, a, fa) = (a, b, fb);
                b = lo + (ratio * (hi - lo));
                fb = Evaluate(points, b).Objective;
            }
        }

        var refined = fa <= fb ? a : b;
        var chosen = Math.Min(fa, fb) < bestObjective ? refined : best;
        return (chosen, Evaluate(points, chosen).Overhead);
    }

    /// <summary>The best overhead for efficiency <paramref name="efficiency"/> and the objective there (+∞ when a cell
    /// has no prediction at it).</summary>
    public static (double Overhead, double Objective) Evaluate(IReadOnlyList<(Func<double, double?> ModelSeconds, double MeasuredSeconds)> points, double efficiency)
    {
        ArgumentNullException.ThrowIfNull(points);
        var model = new double[points.Count];
        double sumWeights = 0, sumWeighted = 0;
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].ModelSeconds(efficiency) is not { } t || !double.IsFinite(t))
            {
                return (0, double.PositiveInfinity);
            }

            var m = points[i].MeasuredSeconds;
            model[i] = t;
            sumWeights += 1 / (m * m);
            sumWeighted += (m - t) / (m * m);
        }

        var overhead = Math.Max(0, sumWeighted / sumWeights);
        var objective = points.Select((p, i) => Math.Pow((model[i] + overhead - p.MeasuredSeconds) / p.MeasuredSeconds, 2)).Sum();
        return (overhead, objective);
    }
}
