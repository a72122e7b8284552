using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SkillVL.Core.Api.Experiments;

namespace SkillVL.Server.Experiments;

/// <summary>
/// The experiment runs under one directory, read-only (issue 13 Deliver 5, ADR 0029). Each subdirectory holding a
/// results.csv or a report.md is a run, named by the directory. The files were put there by people, not by the
/// Server, so every read is confined: names match <see cref="IsValidName"/>, a symlinked run directory, plots
/// directory or file is refused, each file is opened by <see cref="ConfinedFile"/> and read up to a size limit.
/// </summary>
public sealed partial class ExperimentStore(string directory)
{
    /// <summary>Largest report.md read (the seed matrix's report is about 40 KiB).</summary>
    public const long ReportLimit = 2L << 20;

    /// <summary>Largest environment.json read (the runner writes about 1 KiB).</summary>
    public const long EnvironmentLimit = 256L << 10;

    /// <summary>Largest results.csv counted (a row is about 300 bytes: 200 000 runs).</summary>
    public const long ResultsLimit = 64L << 20;

    /// <summary>Largest plot served (ScottPlot's 800 × 500 PNG is about 60 KiB, its SVG about 200 KiB).</summary>
    public const long PlotLimit = 16L << 20;

    /// <summary>At most this many runs are listed, the newest first.</summary>
    public const int ListLimit = 1000;

    public const string ResultsFile = "results.csv";
    public const string ReportFile = "report.md";
    public const string EnvironmentFile = "environment.json";
    public const string PlotsDirectory = "plots";

    /// <summary>The directory the runs are in.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>A run's or a plot's name: a letter or digit, then letters, digits, '.', '_' or '-'; never "..".</summary>
    public static bool IsValidName(string? name) =>
        name is not null && NamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>A plot's file name: a valid name ending in .png or .svg.</summary>
    public static bool IsValidPlot(string? file) =>
        IsValidName(file) && (file!.EndsWith(".png", StringComparison.Ordinal) || file.EndsWith(".svg", StringComparison.Ordinal));

    /// <summary>The runs, newest first (at most <see cref="ListLimit"/>); none when the directory does not exist.</summary>
    public async Task<IReadOnlyList<ExperimentSummary>> ListAsync(CancellationToken ct)
    {
        if (ConfinedFile.RealDirectory(Directory) is not { } root)
        {
            return [];
        }

        var runs = new List<ExperimentSummary>();
        foreach (var run in new DirectoryInfo(root).EnumerateDirectories())
        {
            if (IsValidName(run.Name) && run.LinkTarget is null && await SummarizeAsync(root, run, _ => { }, ct) is { } summary)
            {
                runs.Add(summary);
            }
        }

        return [.. runs.OrderByDescending(r => r.ModifiedAt).ThenBy(r => r.Name, StringComparer.Ordinal).Take(ListLimit)];
    }

    /// <summary>A run for reading, or null when there is none of that name (or its directory is a symlink).</summary>
    /// <exception cref="ArgumentException">The name is not valid (<see cref="IsValidName"/>).</exception>
    public async Task<ExperimentDetails?> GetAsync(string name, CancellationToken ct)
    {
        if (Find(name) is not var (root, run))
        {
            return null;
        }

        var notes = new List<string>();
        if (await SummarizeAsync(root, run, notes.Add, ct) is not { } summary)
        {
            return null;
        }

        JsonElement? environment = null;
        if (await ReadAsync(root, run, EnvironmentFile, EnvironmentLimit, notes.Add, ct) is { } json)
        {
            try
            {
                using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
                environment = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                notes.Add($"{EnvironmentFile}: not valid JSON, not shown");
            }
        }

        var report = await ReadAsync(root, run, ReportFile, ReportLimit, notes.Add, ct);
        return new ExperimentDetails(summary, environment, report, Plots(run, notes.Add), notes);
    }

    /// <summary>
    /// A plot of a run, opened; null when the run or the plot does not exist. A plot that is a symlink, not a regular
    /// file or over <see cref="PlotLimit"/> comes back with <see cref="PlotFile.Refused"/> set.
    /// </summary>
    /// <exception cref="ArgumentException">The run's or the plot's name is not valid.</exception>
    public PlotFile? OpenPlot(string name, string file)
    {
        if (!IsValidPlot(file))
        {
            throw new ArgumentException($"'{file}' is not a plot's name", nameof(file));
        }

        if (Find(name) is not var (root, run))
        {
            return null;
        }

        var plots = new DirectoryInfo(Path.Combine(run.FullName, PlotsDirectory));
        var path = new FileInfo(Path.Combine(plots.FullName, file));
        if (!plots.Exists || !path.Exists && path.LinkTarget is null)
        {
            return null;
        }

        var type = file.EndsWith(".svg", StringComparison.Ordinal) ? "image/svg+xml" : "image/png";
        if (plots.LinkTarget is not null)
        {
            return new PlotFile(null, type, $"{PlotsDirectory}: a symbolic link, not read");
        }

        string? refused = null;
        var stream = ConfinedFile.OpenRead(root, path.FullName, PlotLimit, r => refused = r);
        return new PlotFile(stream, type, refused);
    }

    /// <summary>The real root and the run's directory, or null when either is missing or the run is a symlink.</summary>
    private (string Root, DirectoryInfo Run)? Find(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not an experiment's name", nameof(name));
        }

        if (ConfinedFile.RealDirectory(Directory) is not { } root)
        {
            return null;
        }

        var run = new DirectoryInfo(Path.Combine(root, name));
        return run.Exists && run.LinkTarget is null ? (root, run) : null;
    }

    private static async Task<ExperimentSummary?> SummarizeAsync(string root, DirectoryInfo run, Action<string> note, CancellationToken ct)
    {
        var results = new FileInfo(Path.Combine(run.FullName, ResultsFile));
        var report = new FileInfo(Path.Combine(run.FullName, ReportFile));
        // Exists follows a symlink; LinkTarget sees one even when it dangles: either way the run is there.
        var hasResults = results.Exists || results.LinkTarget is not null;
        var hasReport = report.Exists || report.LinkTarget is not null;
        if (!hasResults && !hasReport)
        {
            return null;
        }

        var modified = new FileSystemInfo[] { run, results, report }.Where(f => f.Exists).Max(f => f.LastWriteTimeUtc);
        var tally = hasResults && await ReadAsync(root, run, ResultsFile, ResultsLimit, note, ct) is { } csv ? ResultsTally.Count(csv) : null;
        return new ExperimentSummary(run.Name, new DateTimeOffset(modified, TimeSpan.Zero), tally?.Runs, tally?.Cells, tally?.Succeeded, hasReport);
    }

    private static async Task<string?> ReadAsync(string root, DirectoryInfo run, string file, long limit, Action<string> note, CancellationToken ct)
    {
        var path = Path.Combine(run.FullName, file);
        if (!File.Exists(path) && new FileInfo(path).LinkTarget is null)
        {
            return null;
        }

        return await ConfinedFile.ReadAsync(root, path, limit, note, ct) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
    }

    private static List<string> Plots(DirectoryInfo run, Action<string> note)
    {
        var plots = new DirectoryInfo(Path.Combine(run.FullName, PlotsDirectory));
        if (!plots.Exists)
        {
            return [];
        }

        if (plots.LinkTarget is not null)
        {
            note($"{PlotsDirectory}: a symbolic link, not read");
            return [];
        }

        var names = new List<string>();
        foreach (var file in plots.EnumerateFiles())
        {
            if (!IsValidPlot(file.Name))
            {
                continue;
            }

            if (file.LinkTarget is not null)
            {
                note($"{PlotsDirectory}/{file.Name}: a symbolic link, not served");
            }
            else if (file.Length > PlotLimit)
            {
                note($"{PlotsDirectory}/{file.Name}: larger than {PlotLimit >> 20} MiB, not served");
            }
            else
            {
                names.Add(file.Name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,99}\z")] // \z, not $: $ also matches before a final newline
    private static partial Regex NamePattern();
}
