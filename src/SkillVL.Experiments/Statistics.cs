namespace SkillVL.Experiments;

/// <summary>
/// Mean and 95 % confidence interval over a cell's repetitions: mean ± t(0.975, n − 1) · s / √n with s the sample
/// standard deviation (Student t, as the repetitions are few and their spread is unknown).
/// </summary>
public static class Statistics
{
    // t(0.975, df) for df = 1..30 (any statistics table); above 30 the normal's 1.96 plus the usual 2.4/df correction.
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>The two-sided 95 % quantile of Student's t with <paramref name="degreesOfFreedom"/> ≥ 1.</summary>
    public static double StudentT95(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return degreesOfFreedom <= T975.Length ? T975[degreesOfFreedom - 1] : 1.96 + (2.4 / degreesOfFreedom);
    }

    /// <summary>Mean and the CI's half width (null for a single value: no spread to estimate).</summary>
    public static (double Mean, double? HalfWidth) MeanCi95(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }

        var mean = values.Average();
        if (values.Count == 1)
        {
            return (mean, null);
        }

        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, StudentT95(values.Count - 1) * Math.Sqrt(variance) / Math.Sqrt(values.Count));
    }
}
