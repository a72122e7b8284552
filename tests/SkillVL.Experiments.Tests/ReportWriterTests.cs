using System.Xml.Linq;
using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>The report from a CSV alone: the model beside every cell, the CI, plots that are real PNG and SVG.</summary>
public sealed class ReportWriterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-report-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Write_FromTheCsvAlone_HasModelColumnsCiAndPlots()
    {
        var csv = Path.Combine(dir, ResultsCsv.FileName);
        ResultsCsv.OpenForResume(csv);
        var cells = ExperimentSpecParser.Parse("factors: { ram: [128Mi, 256Mi], bandwidth: [20Mbit, 100Mbit], rtt: 40ms }", "t", new ExperimentLimits(64L << 30)).Cells;
        foreach (var cell in cells)
        {
            foreach (var (repetition, seconds) in new[] { (1, 10.0), (2, 12.0), (3, 14.0) })
            {
                var run = new PlannedRun(cell, repetition);
                ResultsCsv.Append(csv, new ResultRow(run.RunId, cell.Id, repetition, cell.Levels, DateTimeOffset.UnixEpoch,
                    new RunMeasurement(RunMeasurement.Succeeded, seconds, 250, null, 80L << 20, 70L << 20, 0, 0, null)));
            }
        }

        var report = ReportWriter.Write(dir);

        Assert.Contains("| model total s | error |", report, StringComparison.Ordinal);
        Assert.Contains("| 12.0 ± 5.0 |", report, StringComparison.Ordinal); // mean 12, s 2, t(2) 4.303 · 2 / √3 = 4.97
        Assert.Contains("median absolute error", report, StringComparison.Ordinal);
        var table = report[..report.IndexOf(CalibrationSection.Heading, StringComparison.Ordinal)].Split('\n').Where(l => l.StartsWith("| c", StringComparison.Ordinal) && !l.StartsWith("| cell", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, table.Count);
        Assert.All(table, row => Assert.DoesNotContain("| — | — |", row, StringComparison.Ordinal));
        foreach (var name in new[] { "time-vs-ram", "downtime-vs-dirty" })
        {
            var png = File.ReadAllBytes(Path.Combine(dir, PlotWriter.Directory, name + ".png"));
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            Assert.Equal("svg", XDocument.Load(Path.Combine(dir, PlotWriter.Directory, name + ".svg")).Root!.Name.LocalName);
            Assert.Contains($"plots/{name}.png", report, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Write_NoResults_SaysToRunFirst()
    {
        var e = Assert.Throws<InvalidDataException>(() => ReportWriter.Write(dir));

        Assert.Contains("skillvl experiment run", e.Message, StringComparison.Ordinal);
    }
}
