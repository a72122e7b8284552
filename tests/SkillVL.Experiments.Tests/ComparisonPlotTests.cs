using System.Xml.Linq;
using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>Time vs disk written and one vs several VMs: drawn as PNG and SVG when the CSV has two levels of their
/// factor, otherwise left out and the report says why.</summary>
public sealed class ComparisonPlotTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-plots-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Write_TwoLevelsOfWrittenAndVms_DrawsBothComparisons()
    {
        var report = Report("{ written: [0Mi, 64Mi], vms: [1, 3], bandwidth: [20Mbit, 50Mbit] }");

        foreach (var name in new[] { PlotWriter.WrittenName, PlotWriter.VmsName })
        {
            var png = File.ReadAllBytes(Path.Combine(dir, PlotWriter.Directory, name + ".png"));
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            var svg = XDocument.Load(Path.Combine(dir, PlotWriter.Directory, name + ".svg"));
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Contains($"plots/{name}.png", report, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("not drawn", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OneLevelOfVms_LeavesItsPlotOutAndSaysWhy()
    {
        // An earlier report's plot (rows since deleted from the CSV) goes too.
        Directory.CreateDirectory(Path.Combine(dir, PlotWriter.Directory));
        File.WriteAllText(Path.Combine(dir, PlotWriter.Directory, PlotWriter.VmsName + ".png"), "stale");

        var report = Report("{ written: [0Mi, 64Mi], bandwidth: 20Mbit }");

        Assert.True(File.Exists(Path.Combine(dir, PlotWriter.Directory, PlotWriter.WrittenName + ".svg")));
        Assert.False(File.Exists(Path.Combine(dir, PlotWriter.Directory, PlotWriter.VmsName + ".png")));
        Assert.False(File.Exists(Path.Combine(dir, PlotWriter.Directory, PlotWriter.VmsName + ".svg")));
        Assert.DoesNotContain($"plots/{PlotWriter.VmsName}", report, StringComparison.Ordinal);
        Assert.Contains("one vs several VMs at once, per bandwidth: not drawn, the experiment has one level of `vms` (1), so there is nothing to compare.", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SameWrittenSpelledTwoWays_IsOneLevel()
    {
        var report = Report("{ written: [64Mi, 65536Ki], bandwidth: [20Mbit, 50Mbit] }");

        Assert.False(File.Exists(Path.Combine(dir, PlotWriter.Directory, PlotWriter.WrittenName + ".png")));
        Assert.Contains("vs disk written, per bandwidth: not drawn", report, StringComparison.Ordinal);
    }

    private string Report(string factors)
    {
        var csv = Path.Combine(dir, ResultsCsv.FileName);
        ResultsCsv.OpenForResume(csv);
        foreach (var row in SyntheticResults.Rows(SyntheticResults.Cells(factors), c => 10 + (c.WrittenBytes >> 20) + (5 * c.Vms)))
        {
            ResultsCsv.Append(csv, row);
        }

        return ReportWriter.Write(dir);
    }
}
