using System.Xml.Linq;
using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>The <c>vxlan</c> factor: where the service's client sits, refused without a service, and its plot.</summary>
public sealed class VxlanFactorTests : IDisposable
{
    private static readonly ExperimentLimits Roomy = new(64L << 30);

    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-vxlan-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("factors: { vxlan: [on, of] }", "factors.vxlan[1]: \"of\" is not one of on, off")]
    [InlineData("factors: { vxlan: off }", "factors.vxlan: off places the service's client; it needs workload: service")]
    [InlineData("design: list\ncells: [{ workload: service, vxlan: off }, { vxlan: off }]", "cells[1].vxlan: off places the service's client")]
    public void Parse_BadVxlan_NamesTheField(string yaml, string expected)
    {
        var e = Assert.Throws<ExperimentSpecException>(() => ExperimentSpecParser.Parse(yaml, "t", Roomy));

        Assert.Contains(e.Errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ServiceWithBothLevels_TwoCells_OnIsTheDefaultAndKeepsTheId()
    {
        var spec = ExperimentSpecParser.Parse("factors: { workload: service, vxlan: [on, off] }", "t", Roomy);
        var plain = ExperimentSpecParser.Parse("factors: { workload: service }", "t", Roomy);

        Assert.Equal([true, false], spec.Cells.Select(c => c.ClientOverVxlan));
        Assert.Equal(plain.Cells.Single().Id, spec.Cells[0].Id);
        Assert.EndsWith(",vxlan=off", spec.Cells[1].Key, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_BothLevels_DrawsTheVxlanPlot_OneLevel_DoesNot()
    {
        var on = Cell("on");
        var off = Cell("off");
        var csv = Path.Combine(dir, ResultsCsv.FileName);
        ResultsCsv.OpenForResume(csv);
        foreach (var (cell, after) in new[] { (on, 80.0), (off, 40.0) })
        {
            ResultsCsv.Append(csv, new ResultRow(cell.Id + "-r1", cell.Id, 1, cell.Levels, DateTimeOffset.UnixEpoch,
                new RunMeasurement(RunMeasurement.Succeeded, 5, 100, null, 1, 1, 0, 0, null)
                {
                    Service = new ServiceLatency(50, 60, 90, 400, after, after * 2, 1500, 100, 0),
                }));
        }

        var report = ReportWriter.Write(dir);

        Assert.Contains($"]({PlotWriter.Directory}/{ServicePlot.VxlanName}.png)", report, StringComparison.Ordinal);
        Assert.Equal("svg", XDocument.Load(Path.Combine(dir, PlotWriter.Directory, ServicePlot.VxlanName + ".svg")).Root!.Name.LocalName);
        Assert.Contains("| vxlan |", report, StringComparison.Ordinal);

        File.WriteAllLines(csv, File.ReadAllLines(csv).Where(l => !l.StartsWith(off.Id, StringComparison.Ordinal)));
        var single = ReportWriter.Write(dir);

        Assert.DoesNotContain(ServicePlot.VxlanName, single, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, PlotWriter.Directory, ServicePlot.VxlanName + ".png")));
    }

    [Fact]
    public void Parse_ServiceSpec_IsValid_FourServiceCells()
    {
        var path = Path.Combine(SpecParserTests.RepoRoot(), "experiments", "service.yaml");

        var spec = ExperimentSpecParser.Parse(File.ReadAllText(path), "service", Roomy);

        Assert.Equal(4, spec.Cells.Count);
        Assert.All(spec.Cells, c => Assert.True(c.HasService));
        Assert.Equal([Factor.Loss, Factor.Vxlan], spec.Varied);
    }

    private static ExperimentCell Cell(string vxlan) => new(Factor.All.Select(f => f.Name switch
    {
        Factor.Workload => Factor.Service,
        Factor.Vxlan => vxlan,
        _ => f.Default,
    }).ToList());
}
