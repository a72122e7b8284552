using Xunit;

namespace SkillVL.Experiments.Tests;

public sealed class ResultsCsvTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-csv-").FullName;

    private string Csv => Path.Combine(dir, ResultsCsv.FileName);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    internal static ResultRow Row(int repetition, string? error = null)
    {
        var cell = new ExperimentCell(Factor.All.Select(f => f.Default).ToList());
        var run = new PlannedRun(cell, repetition);
        return new ResultRow(run.RunId, cell.Id, repetition, cell.Levels, new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero),
            new RunMeasurement(error is null ? RunMeasurement.Succeeded : "failed", 12.5, 310, null, 100L << 20, 90L << 20, 0, 0, error));
    }

    [Fact]
    public void AppendThenRead_GivesTheRowsBack_QuotingCommasQuotesAndNewlines()
    {
        ResultsCsv.OpenForResume(Csv);
        ResultsCsv.Append(Csv, Row(1));
        ResultsCsv.Append(Csv, Row(2, "QEMU said \"no\", twice\nthen gave up"));

        var rows = ResultsCsv.Read(Csv);

        Assert.Equal(2, rows.Count);
        Assert.Equal(Row(1).Measurement, rows[0].Measurement);
        Assert.Equal("QEMU said \"no\", twice\nthen gave up", rows[1].Measurement.Error);
        Assert.Equal(Row(1).Levels, rows[0].Levels);
        Assert.Equal(Row(1).RunId, rows[0].RunId);
    }

    [Fact]
    public void TheMigrationsLink_RoundTrips_AndAnEarlierFileWithoutIt_ReadsAsUnknown()
    {
        ResultsCsv.OpenForResume(Csv);
        var row = Row(1);
        ResultsCsv.Append(Csv, row with { Measurement = row.Measurement with { LinkBytes = null, Link = new MeasuredLink(45.7, 41.25, "measured") } });

        var read = Assert.Single(ResultsCsv.Read(Csv)).Measurement;
        Assert.Equal(new MeasuredLink(45.7, 41.25, "measured"), read.Link);
        Assert.Null(read.LinkBytes);

        // A file from before the link columns: its rows read, with no link.
        var header = ResultsCsv.Header.Replace(",link_mbit,link_rtt_ms,link_source", "", StringComparison.Ordinal);
        var line = ResultsCsv.Format(Row(2));
        File.WriteAllText(Csv, header + "\n" + line[..line.LastIndexOf(",,,", StringComparison.Ordinal)] + "\n");
        Assert.Null(Assert.Single(ResultsCsv.Read(Csv)).Measurement.Link);
    }

    [Fact]
    public void Header_HasEveryFactorAndMeasurement()
    {
        ResultsCsv.OpenForResume(Csv);

        var header = File.ReadLines(Csv).First().Split(',');

        Assert.Equal(ResultsCsv.Columns, header);
        Assert.All(Factor.All, f => Assert.Contains(f.Name, header));
        Assert.Contains("downtime_probe_ms", header);
        Assert.Contains("throughput_mbit", header);
    }

    [Fact]
    public void OpenForResume_TornLastLine_IsNotCountedAndIsCutOff()
    {
        ResultsCsv.OpenForResume(Csv);
        ResultsCsv.Append(Csv, Row(1));
        var torn = ResultsCsv.Format(Row(2));
        File.AppendAllText(Csv, torn[..(torn.Length / 2)]);

        var rows = ResultsCsv.OpenForResume(Csv);
        ResultsCsv.Append(Csv, Row(3));

        Assert.Single(rows);
        Assert.Equal([Row(1).RunId, Row(3).RunId], ResultsCsv.Read(Csv).Select(r => r.RunId));
        Assert.Equal(3, File.ReadAllLines(Csv).Length);
    }

    [Fact]
    public void Read_RowWithWrongFieldCount_IsSkipped()
    {
        ResultsCsv.OpenForResume(Csv);
        File.AppendAllText(Csv, "c1-r1,c1,1\n");
        ResultsCsv.Append(Csv, Row(1));

        Assert.Single(ResultsCsv.Read(Csv));
    }

    [Fact]
    public void Read_OtherHeader_Throws()
    {
        File.WriteAllText(Csv, "a,b,c\n1,2,3\n");

        Assert.Throws<InvalidDataException>(() => ResultsCsv.Read(Csv));
    }
}
