using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>report.md's calibration section from a CSV alone: the fitted parameters, the held-out table, the target.</summary>
public sealed class CalibratedReportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-calib-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Write_EnoughCells_ReportsFitHeldOutCellsAndTheTarget()
    {
        var csv = Path.Combine(dir, ResultsCsv.FileName);
        ResultsCsv.OpenForResume(csv);
        var cells = SyntheticResults.Cells("{ ram: [128Mi, 256Mi, 512Mi], bandwidth: [20Mbit, 50Mbit], fill: random, rtt: 40ms }");

        // No environment.json: the report predicts with a template of 0 bytes, so the truth does too.
        foreach (var row in SyntheticResults.Rows(cells, c => ModelPrediction.Predict(c, 0, 0.8)!.TotalTime.TotalSeconds + 3))
        {
            ResultsCsv.Append(csv, row);
        }

        var report = ReportWriter.Write(dir);

        var section = report[report.IndexOf(CalibrationSection.Heading, StringComparison.Ordinal)..report.IndexOf("## Plots", StringComparison.Ordinal)];
        Assert.Contains("**e = 0.800**", section, StringComparison.Ordinal);
        Assert.Contains("**c = 3.0 s**", section, StringComparison.Ordinal);
        Assert.Contains("| cell | ram | bandwidth | measured total s | model s | error | calibrated s | error |", section, StringComparison.Ordinal);
        var heldOut = section.Split('\n').Where(l => l.StartsWith("| c", StringComparison.Ordinal) && !l.StartsWith("| cell", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, heldOut.Count);
        Assert.All(heldOut, l => Assert.EndsWith("| 0.0 % |", l, StringComparison.Ordinal));
        Assert.Contains("over 3 cells calibrated", section, StringComparison.Ordinal);
        Assert.Contains("meets the ≤ 10.0 % target.", section, StringComparison.Ordinal);
    }
}
