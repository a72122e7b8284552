using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>The run loop with a hand-written cell runner: rows as runs finish, resume bookkeeping, the report.</summary>
public sealed class ExperimentRunnerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("svl-exp-run-").FullName;
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    private string Out => Path.Combine(dir, "out");

    private static ExperimentSpec Spec => ExperimentSpecParser.Parse(
        "repetitions: 2\nseed: 3\nfactors: { ram: [128Mi, 256Mi], bandwidth: 50Mbit, dirty: [0MiB/s, 5MiB/s] }", "t", new ExperimentLimits(64L << 30));

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Run_WritesOneRowPerRun_InTheSeededOrder()
    {
        var cells = new CountingCells(time);

        var summary = await Runner(cells).RunAsync(Spec, Out, resume: false, null, Timeout());

        var rows = ResultsCsv.Read(Path.Combine(Out, ResultsCsv.FileName));
        Assert.Equal(new RunSummary(8, 0), summary);
        Assert.Equal(DesignExpander.Order(Spec).Select(r => r.RunId), rows.Select(r => r.RunId));
        Assert.Equal(cells.Ran, rows.Select(r => r.RunId));
        Assert.True(File.Exists(Path.Combine(Out, ReportWriter.FileName)));
        Assert.True(File.Exists(Path.Combine(Out, EnvironmentInfo.FileName)));
    }

    [Fact]
    public async Task Run_ExistingResultsWithoutResume_IsRefusedAndRunsNothing()
    {
        await Runner(new CountingCells(time)).RunAsync(Spec, Out, resume: false, null, Timeout());
        var cells = new CountingCells(time);

        var e = await Assert.ThrowsAsync<ExperimentSpecException>(() => Runner(cells).RunAsync(Spec, Out, resume: false, null, Timeout()));

        Assert.Contains("--resume", e.Message, StringComparison.Ordinal);
        Assert.Empty(cells.Ran);
    }

    [Fact]
    public async Task Resume_AllDone_RunsNothing_ARowRemoved_RunsExactlyThatOne()
    {
        await Runner(new CountingCells(time)).RunAsync(Spec, Out, resume: false, null, Timeout());
        var csv = Path.Combine(Out, ResultsCsv.FileName);

        var again = new CountingCells(time);
        var nothing = await Runner(again).RunAsync(Spec, Out, resume: true, null, Timeout());

        var lines = File.ReadAllLines(csv).ToList();
        var removed = lines[3].Split(',')[0];
        lines.RemoveAt(3);
        File.WriteAllLines(csv, lines);
        var once = new CountingCells(time);
        var one = await Runner(once).RunAsync(Spec, Out, resume: true, null, Timeout());

        Assert.Equal(new RunSummary(0, 8), nothing);
        Assert.Empty(again.Ran);
        Assert.Equal(new RunSummary(1, 7), one);
        Assert.Equal([removed], once.Ran);
        Assert.Equal(8, ResultsCsv.Read(csv).Select(r => r.RunId).Distinct().Count());
    }

    [Fact]
    public async Task Run_CellRunnerThrows_KeepsTheFinishedRowsAndResumeRunsTheRest()
    {
        var failing = new CountingCells(time) { ThrowOnRun = 3 };
        await Assert.ThrowsAsync<InvalidOperationException>(() => Runner(failing).RunAsync(Spec, Out, resume: false, null, Timeout()));
        var rest = new CountingCells(time);

        await Runner(rest).RunAsync(Spec, Out, resume: true, null, Timeout());

        Assert.Equal(2, ResultsCsv.Read(Path.Combine(Out, ResultsCsv.FileName)).Count - rest.Ran.Count);
        Assert.Equal(6, rest.Ran.Count);
    }

    [Fact]
    public void Progress_SaysCellsDoneTimeSpentAndLeft()
    {
        var plan = DesignExpander.Order(Spec);
        var done = plan.Take(4).Select(r => r.RunId).ToHashSet();

        var line = ExperimentRunner.Progress(Spec, plan, done, plan[3], new RunMeasurement("succeeded", 30, 100, null, 1, 1, 1, 0, null),
            TimeSpan.FromMinutes(2), ranNow: 4, left: 4);

        Assert.StartsWith("[4/8] " + plan[3].RunId + " succeeded in 30.0 s · cells done ", line, StringComparison.Ordinal);
        Assert.EndsWith("/4 · spent 2m00s · left ≈ 2m00s", line, StringComparison.Ordinal);
    }

    private ExperimentRunner Runner(ICellRunner cells) => new(cells, TextWriter.Null, time);

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    /// <summary>Records the runs asked for; "measures" a time that grows with RAM, as a real move would.</summary>
    private sealed class CountingCells(FakeTimeProvider time) : ICellRunner
    {
        public List<string> Ran { get; } = [];

        public int? ThrowOnRun { get; init; }

        public string Accelerator => "tcg";

        public long TemplateDataBytes => 11L << 20;

        public Task<RunMeasurement> RunAsync(PlannedRun run, CancellationToken ct)
        {
            if (Ran.Count + 1 == ThrowOnRun)
            {
                throw new InvalidOperationException("the testbed broke");
            }

            Ran.Add(run.RunId);
            time.Advance(TimeSpan.FromSeconds(30));
            var seconds = (run.Cell.RamBytes >> 20) / 10.0 + run.Repetition;
            return Task.FromResult(new RunMeasurement(RunMeasurement.Succeeded, seconds, 200 + run.Repetition, null, run.Cell.RamBytes / 2, run.Cell.RamBytes / 2, 0, 0, null));
        }
    }
}
