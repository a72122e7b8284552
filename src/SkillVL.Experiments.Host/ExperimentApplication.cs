using System.CommandLine;
using System.CommandLine.Invocation;

namespace SkillVL.Experiments.Host;

/// <summary><c>skillvl experiment run|report</c> (docs/experiments.md); <c>./skillvl experiment …</c> runs this program.</summary>
public static class ExperimentApplication
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int Interrupted = 130;

    private const string Prefix = "skillvl experiment: ";

    public static RootCommand Build(TextWriter output)
    {
        var root = new RootCommand("skillvl experiment: run a migration experiment from a spec on a testbed it creates, and report it (docs/experiments.md). Exit codes: 0 ok, 1 error, 2 usage or spec error, 130 interrupted.");
        var spec = new Argument<string>("SPEC") { Description = "The experiment's YAML spec (experiments/example.yaml)" };
        var outDir = new Option<string>("--out") { Description = "Where results.csv, environment.json, report.md and plots/ go (default: results/NAME)", HelpName = "DIR" };
        var resume = new Option<bool>("--resume") { Description = "Continue a run in --out: skip the runs its results.csv holds, run the rest" };
        var image = new Option<string>("--image")
        {
            Description = "The tiny guest template (default $SKILLVL_TINY_IMAGE, else .build/images/tiny)",
            HelpName = "DIR",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SKILLVL_TINY_IMAGE") is { Length: > 0 } tiny ? tiny : Path.Combine(".build", "images", "tiny"),
        };
        var server = new Option<string>("--server") { Description = "where: nodes — the Server's URL (https://HOST:PORT)", HelpName = "URL" };
        var tokenFile = new Option<string>("--token-file") { Description = "where: nodes — a file holding an admin's API token (owner-only)", HelpName = "FILE" };
        var caFile = new Option<string>("--ca-file") { Description = "where: nodes — the Server's CA certificate (PEM) to trust instead of the system's", HelpName = "FILE" };
        var run = new Command("run", "Run the spec's cells on a testbed (or on existing nodes: where: nodes), appending one row per run to results.csv, then write the report")
        {
            spec, outDir, resume, image, server, tokenFile, caFile,
        };
        run.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(spec)!;
            var parsed = ExperimentSpecParser.Parse(await File.ReadAllTextAsync(path, ct), Path.GetFileNameWithoutExtension(path), ExperimentLimits.OfThisHost());
            var directory = parse.GetValue(outDir) ?? Path.Combine("results", parsed.Name);
            if (!parse.GetValue(resume) && File.Exists(Path.Combine(directory, ResultsCsv.FileName)))
            {
                throw new ExperimentSpecException($"--out {directory}: holds a results.csv already; --resume continues it, or choose another directory");
            }

            RunSummary summary;
            if (parsed.Nodes is null)
            {
                await using var cells = await TestbedCellRunner.StartAsync(parsed, parse.GetValue(image)!, output, ct);
                summary = await new ExperimentRunner(cells, output, TimeProvider.System).RunAsync(parsed, directory, parse.GetValue(resume), SourceTree(), ct);
            }
            else
            {
                var (url, token, handler) = ExistingServer.Connection(parse.GetValue(server), parse.GetValue(tokenFile), parse.GetValue(caFile));
                using var cells = await NodesCellRunner.StartAsync(parsed, url, token, handler, output, ct);
                summary = await new ExperimentRunner(cells, output, TimeProvider.System).RunAsync(parsed, directory, parse.GetValue(resume), SourceTree(), ct);
            }

            await output.WriteLineAsync($"{summary.Ran} runs now, {summary.Skipped} found done; report: {Path.Combine(directory, ReportWriter.FileName)}");
            return Ok;
        });
        var dir = new Argument<string>("DIR") { Description = "A run's directory (with results.csv)" };
        var report = new Command("report", "Rebuild report.md and plots/ from DIR/results.csv") { dir };
        report.SetAction(async (parse, ct) =>
        {
            var directory = parse.GetValue(dir)!;
            ReportWriter.Write(directory);
            await output.WriteLineAsync($"report: {Path.Combine(directory, ReportWriter.FileName)}");
            return Ok;
        });
        root.Subcommands.Add(run);
        root.Subcommands.Add(report);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(error);
        var parse = Build(output).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
        {
            foreach (var e in parse.Errors)
            {
                await error.WriteLineAsync(Prefix + e.Message);
            }

            return Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, ct);
        }
        catch (ExperimentSpecException e)
        {
            foreach (var line in e.Errors)
            {
                await error.WriteLineAsync(Prefix + line);
            }

            return Usage;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync(Prefix + e.Message);
            return Error;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await error.WriteLineAsync(Prefix + "interrupted; the finished runs are in results.csv (--resume continues)");
            return Interrupted;
        }
    }

    /// <summary>The source tree this program was built from, for environment.json's commit (null when not in one).</summary>
    private static string? SourceTree()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SkillVL.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName;
    }
}
