using SkillVL.Core.Quantities;
using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>The <c>loss</c> factor: parsed by Core's percentage parser, named in errors, a column of results.csv, and
/// added without changing the ids (or the readability) of runs written before it existed.</summary>
public sealed class LossFactorTests : IDisposable
{
    private static readonly ExperimentLimits Roomy = new(64L << 30);

    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-loss-").FullName;

    private string Csv => Path.Combine(dir, ResultsCsv.FileName);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("factors: { loss: [0%, 120%] }", "factors.loss[1]: \"120%\" is out of range (from 0% up to, not including, 100%)")]
    [InlineData("factors: { loss: 100% }", "factors.loss: \"100%\" is out of range")]
    [InlineData("factors: { loss: -1% }", "factors.loss: \"-1%\" is out of range")]
    [InlineData("factors: { loss: [1] }", "factors.loss[0]: \"1\" is not a percentage (use e.g. 0%, 0.1% or 2%)")]
    [InlineData("factors: { loss: lots }", "factors.loss: \"lots\" is not a percentage")]
    [InlineData("design: list\ncells: [{ loss: 2x% }]", "cells[0].loss: \"2x%\" is not a percentage")]
    public void Parse_BadLoss_NamesTheField(string yaml, string expected)
    {
        var e = Assert.Throws<ExperimentSpecException>(() => ExperimentSpecParser.Parse(yaml, "t", Roomy));

        Assert.Contains(e.Errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_LossLevels_AreCellsWithTheirFraction()
    {
        var spec = ExperimentSpecParser.Parse("factors: { loss: [0%, 1%, 0.5%] }", "t", Roomy);

        Assert.Equal([0, 0.01, 0.005], spec.Cells.Select(c => c.LossFraction));
        Assert.Equal([Factor.Loss], spec.Varied);
    }

    [Fact]
    public void Percentage_ParsesTheFractionAndFormatsItBack()
    {
        Assert.True(Percentage.TryParseFraction(" 0.1% ", out var fraction));
        Assert.Equal(0.001, fraction, 12);
        Assert.Equal("0.1%", Percentage.Format(0.001));
        Assert.False(Percentage.TryParseFraction("0.1", out _));
        Assert.False(Percentage.TryParseFraction("%", out _));
    }

    [Fact]
    public void CellId_LossAtItsDefault_IsTheIdBeforeLossExisted()
    {
        // The id docs/experiments/calibration-check/results.csv gave this cell before the factor was added.
        var levels = new Dictionary<string, string>
        {
            [Factor.Ram] = "160Mi", [Factor.Fill] = "random", [Factor.Disk] = "320Mi", [Factor.Written] = "8Mi", [Factor.Bandwidth] = "50Mbit",
            [Factor.Rtt] = "10ms", [Factor.Vms] = "1", [Factor.Method] = "skillvl", [Factor.Dirty] = "0MiB/s",
        };
        var cell = new ExperimentCell(Factor.All.Select(f => levels.GetValueOrDefault(f.Name, f.Default)).ToList());
        var lossy = new ExperimentCell(Factor.All.Select(f => f.Name == Factor.Loss ? "1%" : levels.GetValueOrDefault(f.Name, f.Default)).ToList());

        Assert.Equal("cb89e3c67", cell.Id);
        Assert.NotEqual(cell.Id, lossy.Id);
        Assert.EndsWith(",loss=1%", lossy.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultsCsv_HasALossColumn_AndRoundTripsIt()
    {
        var cell = new ExperimentCell(Factor.All.Select(f => f.Name == Factor.Loss ? "1%" : f.Default).ToList());
        var row = new ResultRow(cell.Id + "-r1", cell.Id, 1, cell.Levels, DateTimeOffset.UnixEpoch, new RunMeasurement("succeeded", 3, 100, null, 1, 1, 0, 0, null));

        ResultsCsv.OpenForResume(Csv);
        ResultsCsv.Append(Csv, row);

        Assert.Contains("loss", File.ReadLines(Csv).First().Split(','));
        Assert.Equal(0.01, Assert.Single(ResultsCsv.Read(Csv)).Cell.LossFraction);
    }

    [Fact]
    public void ResultsCsv_WrittenBeforeTheNewColumns_ReadsWithDefaults_AndResumeUpgradesIt()
    {
        const string Old = """
            run_id,cell_id,repetition,finished_utc,ram,fill,disk,written,bandwidth,rtt,vms,method,dirty,outcome,total_s,downtime_qemu_ms,downtime_probe_ms,link_bytes,ram_bytes,disk_bytes,template_bytes,throughput_mbit,error
            cb89e3c67-r1,cb89e3c67,1,2026-12-06T15:56:44Z,160Mi,random,320Mi,8Mi,50Mbit,10ms,1,skillvl,0MiB/s,succeeded,25.269,38,,132790593,151457770,8781824,0,42.041,

            """;
        File.WriteAllText(Csv, Old.Replace("\r\n", "\n", StringComparison.Ordinal));

        var read = Assert.Single(ResultsCsv.Read(Csv));
        Assert.Equal("0%", read.Cell.Level(Factor.Loss));
        Assert.Equal("cb89e3c67", read.Cell.Id);
        Assert.Equal(25.269, read.Measurement.TotalSeconds);
        Assert.Null(read.Measurement.Service);

        var resumed = Assert.Single(ResultsCsv.OpenForResume(Csv));
        Assert.Equal(read.RunId, resumed.RunId);
        Assert.Equal(ResultsCsv.Header, File.ReadLines(Csv).First());
        Assert.Equal(read.Measurement, Assert.Single(ResultsCsv.Read(Csv)).Measurement);
    }
}
