using System.Diagnostics;
using SkillVL.Server.Experiments;

namespace SkillVL.Server.Tests.Experiments;

/// <summary>The experiments directory read-only and confined (issue 13 Deliver 5, ADR 0029), on real files.</summary>
public sealed class ExperimentStoreTests : IDisposable
{
    private readonly ExperimentRunFiles _files = new();

    private ExperimentStore Store => new(_files.Directory);

    [Fact]
    public async Task List_MissingDirectory_IsEmpty()
    {
        var store = new ExperimentStore(Path.Combine(_files.Root, "nowhere"));
        Assert.Empty(await store.ListAsync(Timeout()));
    }

    [Fact]
    public async Task List_CountsRuns_AndSkipsWhatIsNotARun()
    {
        _files.AddRun("smoke");
        Directory.CreateDirectory(_files.Run("report-only"));
        File.WriteAllText(Path.Combine(_files.Run("report-only"), "report.md"), "# r");
        Directory.CreateDirectory(_files.Run("empty"));                        // neither results.csv nor report.md
        _files.AddRun(".hidden");                                              // not a valid name
        Directory.CreateSymbolicLink(_files.Run("linked"), _files.Run("smoke")); // a symlinked run
        var old = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc); // older than report-only: listed after it
        File.SetLastWriteTimeUtc(Path.Combine(_files.Run("smoke"), "results.csv"), old);
        File.SetLastWriteTimeUtc(Path.Combine(_files.Run("smoke"), "report.md"), old);
        Directory.SetLastWriteTimeUtc(_files.Run("smoke"), old);

        var runs = await Store.ListAsync(Timeout());

        Assert.Equal(["report-only", "smoke"], runs.Select(r => r.Name));
        var smoke = runs[1];
        Assert.Equal((3, 2, 2, true), (smoke.Runs, smoke.Cells, smoke.Succeeded, smoke.HasReport));
        Assert.Equal(old, smoke.ModifiedAt.UtcDateTime);
        var reportOnly = runs[0];
        Assert.Equal((null, null, null, true), (reportOnly.Runs, reportOnly.Cells, reportOnly.Succeeded, reportOnly.HasReport));
    }

    [Fact]
    public async Task Get_Run_HasEnvironmentReportAndPlotsOnly()
    {
        _files.AddRun("smoke");

        var run = await Store.GetAsync("smoke", Timeout());

        Assert.NotNull(run);
        Assert.StartsWith("# Experiment report", run.Report, StringComparison.Ordinal);
        Assert.Equal("7.2.0", run.Environment!.Value.GetProperty("qemu").GetString());
        Assert.Equal(["time-vs-ram.png", "time-vs-ram.svg"], run.Plots);
        Assert.Empty(run.Notes);
        Assert.Null(await Store.GetAsync("other", Timeout()));
    }

    [Fact]
    public async Task Get_SymlinkedFiles_AreNotRead_AndSaySo()
    {
        var dir = _files.AddRun("smoke");
        File.Delete(Path.Combine(dir, "report.md"));
        File.CreateSymbolicLink(Path.Combine(dir, "report.md"), _files.SecretFile);
        File.Delete(Path.Combine(dir, "environment.json"));
        File.CreateSymbolicLink(Path.Combine(dir, "environment.json"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(dir, "plots", "leak.svg"), _files.SecretFile);

        var run = await Store.GetAsync("smoke", Timeout());

        Assert.NotNull(run);
        Assert.Null(run.Report);
        Assert.Null(run.Environment);
        Assert.DoesNotContain("leak.svg", run.Plots);
        Assert.Contains("report.md: a symbolic link, not read", run.Notes);
        Assert.Contains("environment.json: a symbolic link, not read", run.Notes);
        Assert.Contains("plots/leak.svg: a symbolic link, not served", run.Notes);

        var plot = Store.OpenPlot("smoke", "leak.svg");
        Assert.NotNull(plot);
        Assert.Null(plot.Content);
        Assert.Equal("leak.svg: a symbolic link, not read", plot.Refused);
    }

    [Fact]
    public async Task Get_SymlinkedRunOrPlotsDirectory_IsRefused()
    {
        var outside = Path.Combine(_files.Root, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "plots"));
        File.WriteAllText(Path.Combine(outside, "report.md"), ExperimentRunFiles.Secret);
        File.WriteAllText(Path.Combine(outside, "plots", "x.png"), ExperimentRunFiles.Secret);
        Directory.CreateSymbolicLink(_files.Run("escape"), outside);
        var dir = _files.AddRun("smoke");
        Directory.Delete(Path.Combine(dir, "plots"), recursive: true);
        Directory.CreateSymbolicLink(Path.Combine(dir, "plots"), Path.Combine(outside, "plots"));

        Assert.Null(await Store.GetAsync("escape", Timeout()));
        Assert.Null(Store.OpenPlot("escape", "x.png"));
        var run = await Store.GetAsync("smoke", Timeout());
        Assert.Empty(run!.Plots);
        Assert.Contains("plots: a symbolic link, not read", run.Notes);
        Assert.Equal("plots: a symbolic link, not read", Store.OpenPlot("smoke", "x.png")!.Refused);
    }

    [Fact]
    public async Task Get_ReportOverLimit_IsLeftOut()
    {
        _files.AddRun("big", report: new string('x', (int)ExperimentStore.ReportLimit + 1));

        var run = await Store.GetAsync("big", Timeout());

        Assert.Null(run!.Report);
        Assert.Contains("report.md: larger than 2048 KiB, not read", run.Notes);
    }

    [Fact]
    public async Task Get_FifoAsReport_DoesNotHang()
    {
        var dir = _files.AddRun("fifo");
        File.Delete(Path.Combine(dir, "report.md"));
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(dir, "report.md")))
        {
            await mkfifo.WaitForExitAsync(Timeout());
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var run = await Store.GetAsync("fifo", Timeout()).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(run!.Report);
        Assert.Contains("report.md: not a regular file, not read", run.Notes);
    }

    [Fact]
    public void OpenPlot_ServesPngAndSvgWithTheirTypes()
    {
        _files.AddRun("smoke");

        var png = Store.OpenPlot("smoke", "time-vs-ram.png")!;
        using (png.Content)
        {
            Assert.Equal("image/png", png.ContentType);
            using var copy = new MemoryStream();
            png.Content!.CopyTo(copy);
            Assert.Equal(ExperimentRunFiles.Png, copy.ToArray());
        }

        var svg = Store.OpenPlot("smoke", "time-vs-ram.svg")!;
        using (svg.Content)
        {
            Assert.Equal("image/svg+xml", svg.ContentType);
        }

        Assert.Null(Store.OpenPlot("smoke", "missing.png"));
    }

    [Theory]
    [InlineData("smoke", true)]
    [InlineData("seed-matrix_2026.12", true)]
    [InlineData("..", false)]
    [InlineData("a..b", false)]
    [InlineData(".hidden", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("smoke\n", false)]
    [InlineData("%2e%2e", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValidName_Table(string? name, bool valid) => Assert.Equal(valid, ExperimentStore.IsValidName(name));

    [Fact]
    public void IsValidName_LongerThan100_IsNot()
    {
        Assert.True(ExperimentStore.IsValidName(new string('a', 100)));
        Assert.False(ExperimentStore.IsValidName(new string('a', 101)));
    }

    [Theory]
    [InlineData("time.png", true)]
    [InlineData("time.svg", true)]
    [InlineData("report.md", false)]
    [InlineData("time.PNG", false)]
    [InlineData("time.svg.txt", false)]
    [InlineData("../time.png", false)]
    public void IsValidPlot_Table(string file, bool valid) => Assert.Equal(valid, ExperimentStore.IsValidPlot(file));

    [Fact]
    public void OpenPlot_InvalidNames_Throw()
    {
        Assert.Throws<ArgumentException>(() => Store.OpenPlot("..", "time.png"));
        Assert.Throws<ArgumentException>(() => Store.OpenPlot("smoke", "../../secret.txt"));
    }

    public void Dispose() => _files.Dispose();

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
