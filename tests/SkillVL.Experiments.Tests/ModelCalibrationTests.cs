using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>The calibration on synthetic cells whose true efficiency and overhead are known: the fit must find them,
/// never use a run that did not succeed, and say in words when there is too little to fit.</summary>
public sealed class ModelCalibrationTests
{
    private const string Matrix = "{ ram: [128Mi, 256Mi, 512Mi, 1Gi], bandwidth: [20Mbit, 50Mbit], fill: random, rtt: 40ms }";

    [Fact]
    public void Of_CellsMadeByKnownParameters_RecoversThem()
    {
        var rows = SyntheticResults.Rows(SyntheticResults.Cells(Matrix), SyntheticResults.Truth(0.7, 4));

        var calibration = ModelCalibration.Of(SyntheticResults.Summaries(rows), SyntheticResults.TemplateBytes);

        Assert.Null(calibration.NotFittedReason);
        Assert.Equal(4, calibration.Calibration.Count);
        Assert.Equal(4, calibration.HeldOut.Count);
        Assert.Equal(0.7, calibration.Efficiency!.Value, 0.002);
        Assert.Equal(4, calibration.Overhead!.Value.TotalSeconds, 0.1);
        Assert.All(calibration.HeldOut, c => Assert.InRange(Math.Abs(c.CalibratedError!.Value), 0, 0.002));
        Assert.True(calibration.MeetsTarget);
        Assert.True(calibration.HeldOutMedianModelError > 0.2, $"uncalibrated {calibration.HeldOutMedianModelError}");
    }

    [Fact]
    public void Of_DirtyingGuestsAndBothMethods_RecoversTheParameters()
    {
        // Pre-copy rounds make the time nonlinear in 1/e: the search, not a linear fit, has to find it.
        var cells = SyntheticResults.Cells("{ ram: [256Mi, 512Mi], bandwidth: [20Mbit, 100Mbit], dirty: [0MiB/s, 1MiB/s], method: [skillvl, baseline], fill: random, rtt: 40ms }");
        var rows = SyntheticResults.Rows(cells, SyntheticResults.Truth(0.55, 10));

        var calibration = ModelCalibration.Of(SyntheticResults.Summaries(rows), SyntheticResults.TemplateBytes);

        Assert.Equal(0.55, calibration.Efficiency!.Value, 0.002);
        Assert.Equal(10, calibration.Overhead!.Value.TotalSeconds, 0.2);
        Assert.True(calibration.HeldOutMedianError < 0.002, $"calibrated {calibration.HeldOutMedianError}");
    }

    [Fact]
    public void Of_FailedRunsWithWildTimes_AreNeverUsedToFit()
    {
        var cells = SyntheticResults.Cells(Matrix);
        var rows = SyntheticResults.Rows(cells, SyntheticResults.Truth(0.7, 4));
        rows.AddRange(cells.Select(c => SyntheticResults.Row(c, 3, "failed", 5000)));
        rows.AddRange(cells.Select(c => SyntheticResults.Row(c, 4, "cancelled", 1)));

        var calibration = ModelCalibration.Of(SyntheticResults.Summaries(rows), SyntheticResults.TemplateBytes);

        Assert.Equal(0.7, calibration.Efficiency!.Value, 0.002);
        Assert.Equal(4, calibration.Overhead!.Value.TotalSeconds, 0.1);
    }

    [Fact]
    public void Of_CellWhoseRunsAllFailed_IsExcludedWithItsReason()
    {
        var cells = SyntheticResults.Cells(Matrix);
        var broken = SyntheticResults.Cells("{ ram: 768Mi, bandwidth: 20Mbit, fill: random, rtt: 40ms }")[0];
        var rows = SyntheticResults.Rows(cells, SyntheticResults.Truth(0.7, 4));
        rows.Add(SyntheticResults.Row(broken, 1, "failed", 3));
        rows.Add(SyntheticResults.Row(broken, 2, "failed", 900));

        var calibration = ModelCalibration.Of(SyntheticResults.Summaries(rows), SyntheticResults.TemplateBytes);

        var excluded = Assert.Single(calibration.Excluded);
        Assert.Equal(broken.Id, excluded.Cell.Cell.Id);
        Assert.Equal("no succeeded run", excluded.Reason);
        Assert.DoesNotContain(calibration.Calibration.Concat(calibration.HeldOut), c => c.Summary.Cell.Id == broken.Id);
        Assert.Equal(0.7, calibration.Efficiency!.Value, 0.002);
    }

    [Theory]
    [InlineData("{ ram: 128Mi, bandwidth: 20Mbit }", "1 cell with a succeeded run", "1 to calibrate on and 0 to hold out")]
    [InlineData("{ ram: [128Mi, 256Mi], bandwidth: 20Mbit }", "2 cells with a succeeded run", "1 to calibrate on and 1 to hold out")]
    public void Of_TooFewCells_FitsNothingAndSaysWhyInWords(string factors, string count, string split)
    {
        var rows = SyntheticResults.Rows(SyntheticResults.Cells(factors), SyntheticResults.Truth(0.7, 4));

        var calibration = ModelCalibration.Of(SyntheticResults.Summaries(rows), SyntheticResults.TemplateBytes);

        Assert.Null(calibration.Efficiency);
        Assert.Null(calibration.Overhead);
        Assert.Null(calibration.HeldOutMedianError);
        Assert.Null(calibration.MeetsTarget);
        Assert.Contains(count, calibration.NotFittedReason, StringComparison.Ordinal);
        Assert.Contains(split, calibration.NotFittedReason, StringComparison.Ordinal);
        var section = CalibrationSection.Build(calibration, []);
        Assert.Contains("The model is not calibrated: ", section, StringComparison.Ordinal);
        Assert.DoesNotContain("median absolute error **", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_OnlyFailedRuns_FitsNothing()
    {
        var cells = SyntheticResults.Cells(Matrix);
        var rows = cells.Select(c => SyntheticResults.Row(c, 1, "failed", 30)).ToList();

        var calibration = ModelCalibration.Of(SyntheticResults.Summaries(rows), SyntheticResults.TemplateBytes);

        Assert.Null(calibration.Efficiency);
        Assert.Equal(cells.Count, calibration.Excluded.Count);
        Assert.Contains("0 cells with a succeeded run", calibration.NotFittedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_SplitAlternatesInIdOrder_WhateverTheRowOrder()
    {
        var rows = SyntheticResults.Rows(SyntheticResults.Cells(Matrix), SyntheticResults.Truth(0.7, 4));
        var reversed = Enumerable.Reverse(rows).ToList();

        var a = ModelCalibration.Of(SyntheticResults.Summaries(rows), SyntheticResults.TemplateBytes);
        var b = ModelCalibration.Of(SyntheticResults.Summaries(reversed), SyntheticResults.TemplateBytes);

        var ids = rows.Select(r => r.CellId).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ids.Where((_, i) => i % 2 == 0), a.Calibration.Select(c => c.Summary.Cell.Id));
        Assert.Equal(ids.Where((_, i) => i % 2 == 1), a.HeldOut.Select(c => c.Summary.Cell.Id));
        Assert.Equal(a.HeldOut.Select(c => c.Summary.Cell.Id), b.HeldOut.Select(c => c.Summary.Cell.Id));
        Assert.Equal(a.Efficiency, b.Efficiency);
    }

    [Fact]
    public void Of_MovesFasterThanTheModelAllows_StopsAtTheBoundsAndSaysSo()
    {
        // Measured at 60 % of the model's best case: no efficiency ≤ 1 and no overhead ≥ 0 explains it.
        var rows = SyntheticResults.Rows(SyntheticResults.Cells(Matrix), c => 0.6 * SyntheticResults.Truth(1, 0)(c));

        var calibration = ModelCalibration.Of(SyntheticResults.Summaries(rows), SyntheticResults.TemplateBytes);

        Assert.Equal(1, calibration.Efficiency!.Value, 1e-9);
        Assert.Equal(TimeSpan.Zero, calibration.Overhead);
        Assert.False(calibration.MeetsTarget);
        var section = CalibrationSection.Build(calibration, []);
        Assert.Contains("at its upper bound", section, StringComparison.Ordinal);
        Assert.Contains("misses the ≤ 10.0 % target", section, StringComparison.Ordinal);
        Assert.Contains("misses by more than 10.0 %", section, StringComparison.Ordinal);
    }
}
