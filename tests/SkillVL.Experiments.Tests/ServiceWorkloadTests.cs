using System.Xml.Linq;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>The service workload's pure side: the client's log on the move's time axis, latency per phase and the longest
/// gap, its results.csv columns, the trace kept beside the CSV, and the report's table and plot.</summary>
public sealed class ServiceWorkloadTests : IDisposable
{
    private static readonly ExperimentLimits Roomy = new(64L << 30);

    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-service-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // The peer's clock in µs: the move runs from 10 000 000 to 14 000 000 (4 s).
    private const string Log = """
        9000000 9020000 0
        9500000 9530000 0
        10100000 10150000 0
        11000000 13000000 1
        13100000 13400000 0
        14200000 14210000 0
        14600000 14612000 0
        14900000 149
        """;

    private static ServiceTrace Trace => ServiceTrace.Parse(Log, 10_000_000, 14_000_000);

    [Fact]
    public void Parse_PutsRequestsOnTheMoveAxis_AndSkipsTheTornLastLine()
    {
        var trace = Trace;

        Assert.Equal(4, trace.MoveEndSeconds, 9);
        Assert.Equal(7, trace.Samples.Count);
        Assert.Equal(new ServiceSample(-1, 20, true), trace.Samples[0]);
        Assert.Equal(new ServiceSample(1, 2000, false), trace.Samples[3]);
    }

    [Fact]
    public void Latency_SplitsByPhase_AndFindsTheLongestGapBetweenAnswers()
    {
        var latency = Trace.Latency();

        Assert.Equal(20, latency.P50BeforeMs);
        Assert.Equal(30, latency.P99BeforeMs);
        Assert.Equal(50, latency.P50DuringMs);
        Assert.Equal(300, latency.P99DuringMs);
        Assert.Equal(10, latency.P50AfterMs);
        Assert.Equal(12, latency.P99AfterMs);

        // Answers at 10.15 s and 13.4 s on the peer's clock, the failed request between them answers nothing.
        Assert.Equal(3250, latency.LongestGapMs!.Value, 6);
        Assert.Equal(7, latency.Requests);
        Assert.Equal(1, latency.Errors);
    }

    [Fact]
    public void Latency_NoAnswers_IsEmptyNotZero()
    {
        var latency = ServiceTrace.Parse("1 2000001 1\n", 0, 1).Latency();

        Assert.Null(latency.P50BeforeMs);
        Assert.Null(latency.P50DuringMs);
        Assert.Null(latency.LongestGapMs);
        Assert.Equal(1, latency.Errors);
    }

    [Theory]
    [InlineData(0.5, 3)]
    [InlineData(0.99, 5)]
    [InlineData(0.01, 1)]
    public void Percentile_IsNearestRank(double p, double expected) =>
        Assert.Equal(expected, ServiceTrace.Percentile([5, 1, 4, 2, 3], p));

    [Fact]
    public void Parse_WorkloadLevels_CheckedAndNamed()
    {
        var e = Assert.Throws<ExperimentSpecException>(() => ExperimentSpecParser.Parse("factors: { workload: [none, web] }", "t", Roomy));

        Assert.Contains("factors.workload[1]: \"web\" is not one of none, service", e.Errors);
        Assert.True(ExperimentSpecParser.Parse("factors: { workload: service }", "t", Roomy).Cells.Single().HasService);
    }

    [Fact]
    public void NeededBytes_ServiceCountsThePeer()
    {
        var spec = ExperimentSpecParser.Parse("factors: { workload: [none, service] }", "t", Roomy);

        Assert.Equal(ExperimentLimits.PeerRamBytes, ExperimentLimits.NeededBytes(spec.Cells[1]) - ExperimentLimits.NeededBytes(spec.Cells[0]));
    }

    [Fact]
    public async Task Run_KeepsTheTraceBesideTheRow_AndTheReportHasTheTableAndThePlot()
    {
        var spec = ExperimentSpecParser.Parse("repetitions: 2\nfactors: { workload: service, loss: [0%, 1%] }", "t", Roomy);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var outDir = Path.Combine(dir, "out");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await new ExperimentRunner(new ServiceCells(), TextWriter.Null, time).RunAsync(spec, outDir, resume: false, null, timeout.Token);

        var rows = ResultsCsv.Read(Path.Combine(outDir, ResultsCsv.FileName));
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(Trace.Latency(), r.Measurement.Service);
            Assert.Equal(Trace.Samples, ServiceTrace.Read(outDir, r.RunId)!.Samples);
        });
        var report = await File.ReadAllTextAsync(Path.Combine(outDir, ReportWriter.FileName), timeout.Token);
        Assert.Contains("## Service during the move", report, StringComparison.Ordinal);
        Assert.Contains(" 2 | 20 ± 0 | 30 ± 0 | 50 ± 0 | 300 ± 0 | 10 ± 0 | 12 ± 0 | 3250 ± 0 | 7 ± 0 | 1 ± 0 |", report, StringComparison.Ordinal);
        var first = rows.Select(r => r.RunId).Order(StringComparer.Ordinal).First();
        Assert.Contains($"![Service latency around the switch-over (run {first})](plots/service-latency.png)", report, StringComparison.Ordinal);
        Assert.Equal("svg", XDocument.Load(Path.Combine(outDir, PlotWriter.Directory, ServicePlot.Name + ".svg")).Root!.Name.LocalName);
    }

    [Fact]
    public void Report_WithoutService_HasNoServiceTableAndNoPlot()
    {
        var outDir = Path.Combine(dir, "plain");
        Directory.CreateDirectory(Path.Combine(outDir, PlotWriter.Directory));
        File.WriteAllText(Path.Combine(outDir, PlotWriter.Directory, ServicePlot.Name + ".png"), "stale");
        ResultsCsv.OpenForResume(Path.Combine(outDir, ResultsCsv.FileName));
        ResultsCsv.Append(Path.Combine(outDir, ResultsCsv.FileName), ResultsCsvTests.Row(1));

        var report = ReportWriter.Write(outDir);

        Assert.DoesNotContain("Service", report, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outDir, PlotWriter.Directory, ServicePlot.Name + ".png")));
    }

    private sealed class ServiceCells : ICellRunner
    {
        public string Accelerator => "tcg";

        public long TemplateDataBytes => 11L << 20;

        public Task<RunMeasurement> RunAsync(PlannedRun run, CancellationToken ct) =>
            Task.FromResult(new RunMeasurement(RunMeasurement.Succeeded, 4, 200, null, 1L << 20, 1L << 20, 0, 0, null)
            {
                Service = Trace.Latency(),
                Trace = Trace,
            });
    }
}
