using System.Xml.Linq;
using SkillVL.Experiments.Host;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.Experiments.IntegrationTests;

/// <summary>
/// `skillvl experiment run` end to end on a testbed it creates (real QEMU guests, skillvl-linkem, the embedded Server):
/// a 2-cell spec (loss on the link, the service workload with its client over VXLAN and not), then --resume with nothing left, then the
/// report and plots.
/// </summary>
public sealed class ExperimentSmokeTests(ITestOutputHelper log) : IDisposable
{
    // Two cells, both running the service workload (httpd in the guest, a client on a peer VM timing it): the first with
    // the client on the source (it reaches the moved service over the room's VXLAN overlay), the second with the client on
    // the target (vxlan: off); both cross a link with loss, so the factors added after the first slice run end to end
    // without a third cell.
    private const string Spec = """
        name: smoke
        repetitions: 1
        seed: 5
        design: list
        factors: { fill: random, disk: 288Mi, written: 8Mi, bandwidth: 200Mbit, rtt: 10ms, loss: 0.05%, method: skillvl }
        cells:
          - { ram: 160Mi, workload: service }
          - { ram: 192Mi, workload: service, vxlan: off }
        """;

    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-smoke-").FullName;

    private string Out => Path.Combine(dir, "out");

    private string Csv => Path.Combine(Out, ResultsCsv.FileName);

    public void Dispose()
    {
        // What the runs printed and measured, for the test log.
        if (File.Exists(Csv))
        {
            log.WriteLine(File.ReadAllText(Csv));
        }

        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Run_TwoCells_ThenResumeWithNothingLeft_ThenReport()
    {
        var spec = Path.Combine(dir, "smoke.yaml");
        await File.WriteAllTextAsync(spec, Spec);

        var (code, output) = await RunAsync("run", spec, "--out", Out);

        Assert.True(code == 0, output);
        var rows = ResultsCsv.Read(Csv);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row =>
        {
            var m = row.Measurement;
            Assert.True(m.Outcome == RunMeasurement.Succeeded, $"{row.RunId}: {m.Outcome} {m.Error}");
            Assert.InRange(m.TotalSeconds!.Value, 0.5, 300);
            Assert.InRange(m.DowntimeQemuMs!.Value, 0, 10_000);

            // At least the 64/96 MiB of random fill crossed the link, and not more than the whole VM several times.
            Assert.InRange(m.LinkBytes!.Value, row.Cell.FilledRamBytes, 4 * (row.Cell.RamBytes + row.Cell.DiskBytes));
            Assert.InRange(m.RamBytes!.Value, row.Cell.FilledRamBytes / 2, 4 * row.Cell.RamBytes);
        });
        Assert.Equal(2, rows.Select(r => r.Cell.RamBytes).Distinct().Count());
        Assert.Contains("RTT 10ms, loss 0.05%", output, StringComparison.Ordinal);
        Assert.All(rows, r => Assert.Equal(0.0005, r.Cell.LossFraction, 9));

        // The service: answered before and after the move, every request on the peer's clock kept beside the CSV.
        Assert.Equal([true, false], rows.OrderBy(r => r.Cell.RamBytes).Select(r => r.Cell.ClientOverVxlan));
        Assert.All(rows, service =>
        {
            var latency = service.Measurement.Service!;
            Assert.True(latency.P50BeforeMs is > 0 and < 2000, $"{service.RunId}: p50 before {latency.P50BeforeMs}");
            Assert.True(latency.P50AfterMs is > 0 and < 2000, $"{service.RunId}: p50 after {latency.P50AfterMs}");
            Assert.InRange(latency.Requests, 10, 10_000);
            Assert.InRange(latency.LongestGapMs!.Value, 1, 300_000);
            Assert.Equal(latency, ServiceTrace.Read(Out, service.RunId)!.Latency());
        });

        var (again, againOutput) = await RunAsync("run", spec, "--out", Out, "--resume");
        Assert.True(again == 0, againOutput);
        Assert.Contains("0 runs now, 2 found done", againOutput, StringComparison.Ordinal);
        Assert.Equal(rows.Select(r => r.RunId), ResultsCsv.Read(Csv).Select(r => r.RunId));

        // A row removed runs exactly that one again (ExperimentRunnerTests.Resume_AllDone_RunsNothing_ARowRemoved_RunsExactlyThatOne,
        // with a hand-written cell runner): here it would cost a third testbed and another move (≈ 100 s of CI).
        File.Delete(Path.Combine(Out, ReportWriter.FileName));
        var (report, reportOutput) = await RunAsync("report", Out);
        Assert.True(report == 0, reportOutput);
        var text = await File.ReadAllTextAsync(Path.Combine(Out, ReportWriter.FileName));
        Assert.Contains("| model total s | error |", text, StringComparison.Ordinal);
        Assert.Contains("## Service during the move", text, StringComparison.Ordinal);
        var cellTable = text[..text.IndexOf("## Service during the move", StringComparison.Ordinal)];
        Assert.Equal(2, cellTable.Split('\n').Count(l => l.StartsWith("| c", StringComparison.Ordinal) && !l.StartsWith("| cell", StringComparison.Ordinal)));
        foreach (var plot in new[] { "time-vs-ram", "downtime-vs-dirty", ServicePlot.Name, ServicePlot.VxlanName })
        {
            var png = await File.ReadAllBytesAsync(Path.Combine(Out, PlotWriter.Directory, plot + ".png"));
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            Assert.Equal("svg", XDocument.Load(Path.Combine(Out, PlotWriter.Directory, plot + ".svg")).Root!.Name.LocalName);
        }

        // Two cells give one to calibrate on and one to hold out: too few to fit two parameters, and the report says so.
        Assert.Contains("The model is not calibrated: 2 cells with a succeeded run", text, StringComparison.Ordinal);
        foreach (var (plot, factor) in new[] { (PlotWriter.WrittenName, "`written` (8Mi)"), (PlotWriter.VmsName, "`vms` (1)") })
        {
            Assert.False(File.Exists(Path.Combine(Out, PlotWriter.Directory, plot + ".png")));
            Assert.Contains($"not drawn, the experiment has one level of {factor}", text, StringComparison.Ordinal);
        }

        var environment = EnvironmentInfo.Read(Out)!;
        Assert.Equal("tcg", environment.Accelerator);
        Assert.Contains("QEMU", environment.Qemu, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Run_BadSpec_NamesTheFieldAndCreatesNothing()
    {
        var spec = Path.Combine(dir, "bad.yaml");
        await File.WriteAllTextAsync(spec, "factors: { ram: [128Mi, 8x], disk: 288Mi, written: 100Mi }\n");

        var (code, output) = await RunAsync("run", spec, "--out", Out);

        Assert.Equal(ExperimentApplication.Usage, code);
        Assert.Contains("factors.ram[1]: \"8x\" is not a size", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Run_OverlayIntoTheTemplatesOs_IsASpecError()
    {
        var spec = Path.Combine(dir, "os.yaml");
        await File.WriteAllTextAsync(spec, "factors: { disk: 288Mi, written: 64Mi }\n");

        var (code, output) = await RunAsync("run", spec, "--out", Out);

        Assert.Equal(ExperimentApplication.Usage, code);
        Assert.Contains("written: 64Mi on a 288Mi disk reaches into the template's OS", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var image = Environment.GetEnvironmentVariable("SKILLVL_TINY_IMAGE");
        Assert.False(string.IsNullOrEmpty(image), "SKILLVL_TINY_IMAGE must name the tiny guest template");
        using var output = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        string[] all = args[0] == "run" ? [.. args, "--image", image] : args;
        var code = await ExperimentApplication.RunAsync(all, output, output, timeout.Token);
        log.WriteLine($"$ skillvl experiment {string.Join(' ', args)} → {code}\n{output}");
        return (code, output.ToString());
    }
}
