using System.Globalization;

namespace SkillVL.Experiments;

/// <summary>
/// Runs a spec's runs in their seeded order (<see cref="DesignExpander.Order"/>), appending each finished run to
/// results.csv at once, then writes the report. With <c>resume</c> it skips the runs already in the CSV (by run id)
/// and runs the rest in the same order; a run torn by a crash is not in the CSV, so it runs again.
/// </summary>
public sealed class ExperimentRunner(ICellRunner cells, TextWriter progress, TimeProvider time)
{
    /// <summary>Runs what is left of <paramref name="spec"/> into <paramref name="directory"/>.</summary>
    /// <exception cref="ExperimentSpecException">The directory holds results and <paramref name="resume"/> is false.</exception>
    public async Task<RunSummary> RunAsync(ExperimentSpec spec, string directory, bool resume, string? sourceTree, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var csv = Path.Combine(directory, ResultsCsv.FileName);
        if (!resume && File.Exists(csv))
        {
            throw new ExperimentSpecException($"--out {directory}: holds a results.csv already; --resume continues it, or choose another directory");
        }

        Directory.CreateDirectory(directory);
        var done = ResultsCsv.OpenForResume(csv).Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        if (!File.Exists(Path.Combine(directory, EnvironmentInfo.FileName)))
        {
            (await EnvironmentInfo.CollectAsync(cells.Accelerator, sourceTree, cells.TemplateDataBytes, ct)).Write(directory);
        }

        var plan = DesignExpander.Order(spec);
        var todo = plan.Where(r => !done.Contains(r.RunId)).ToList();
        var skipped = plan.Count - todo.Count;
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{spec.Name}: {spec.Cells.Count} cells × {spec.Repetitions} = {plan.Count} runs; {skipped} already in {csv}, {todo.Count} to run."));
        var started = time.GetTimestamp();
        var ran = 0;
        foreach (var run in todo)
        {
            ct.ThrowIfCancellationRequested();
            var measurement = await cells.RunAsync(run, ct);
            measurement.Trace?.Write(directory, run.RunId);
            ResultsCsv.Append(csv, new ResultRow(run.RunId, run.Cell.Id, run.Repetition, run.Cell.Levels, time.GetUtcNow(), measurement));
            done.Add(run.RunId);
            ran++;
            progress.WriteLine(Progress(spec, plan, done, run, measurement, time.GetElapsedTime(started), ran, todo.Count - ran));
        }

        ReportWriter.Write(directory);
        return new RunSummary(ran, skipped);
    }

    /// <summary>"[3/8] c1a2b3c4-r1 succeeded in 41.2 s · cells done 1/4 · spent 2m05s · left ≈ 3m40s".</summary>
    internal static string Progress(ExperimentSpec spec, IReadOnlyList<PlannedRun> plan, IReadOnlySet<string> done, PlannedRun run,
        RunMeasurement measurement, TimeSpan spent, int ranNow, int left)
    {
        var cellsDone = plan.GroupBy(r => r.Cell.Id).Count(g => g.All(r => done.Contains(r.RunId)));
        var estimate = ranNow == 0 ? TimeSpan.Zero : spent / ranNow * left;
        var took = measurement.TotalSeconds is { } s ? string.Create(CultureInfo.InvariantCulture, $" in {s:0.0} s") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{done.Count}/{plan.Count}] {run.RunId} {measurement.Outcome}{took} · cells done {cellsDone}/{spec.Cells.Count} · spent {Duration(spent)} · left ≈ {Duration(estimate)}");
    }

    internal static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes:00}m")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m{span.Seconds:00}s");
}
