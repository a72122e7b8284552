namespace SkillVL.Server.Tests.Experiments;

/// <summary>
/// A scratch experiments directory under /tmp with runs as <c>skillvl experiment run</c> leaves them, and a file
/// beside it (outside) that no route may ever serve. Removed on dispose.
/// </summary>
internal sealed class ExperimentRunFiles : IDisposable
{
    public const string Secret = "not-for-the-api-7f3a";

    /// <summary>A results.csv header as the runner writes it (abridged: the tally reads columns by name).</summary>
    public const string Header = "run_id,cell_id,repetition,finished_utc,ram,outcome,total_s,error\n";

    public ExperimentRunFiles()
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(SecretFile, Secret);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "svl-exp-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>The experiments directory (SkillVL:Experiments:Directory).</summary>
    public string Directory => Path.Combine(Root, "experiments");

    /// <summary>A file outside the experiments directory.</summary>
    public string SecretFile => Path.Combine(Root, "secret.txt");

    public string Run(string name) => Path.Combine(Directory, name);

    /// <summary>A run: 3 complete rows in 2 cells (2 succeeded) and a torn fourth, a report, an environment, two plots.</summary>
    public string AddRun(string name, string report = "# Experiment report\n\n| cell | total s |\n|---|---:|\n| c1 | 12.5 |\n")
    {
        var dir = Run(name);
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "plots"));
        File.WriteAllText(Path.Combine(dir, "results.csv"), Header
            + "c1-r1,c1,1,2026-12-06T10:00:00Z,256MiB,succeeded,12.5,\n"
            + "c1-r2,c1,2,2026-12-06T10:01:00Z,256MiB,failed,,\"timed out, \"\"phase\"\" ram\nsecond line\"\n"
            + "c2-r1,c2,1,2026-12-06T10:02:00Z,512MiB,succeeded,20.1,\n"
            + "c2-r2,c2,2,2026-12-06T10:03:00Z,512MiB,succ");
        File.WriteAllText(Path.Combine(dir, "report.md"), report);
        File.WriteAllText(Path.Combine(dir, "environment.json"), """{"qemu":"7.2.0","kernel":"6.1","cores":2}""");
        File.WriteAllBytes(Path.Combine(dir, "plots", "time-vs-ram.png"), Png);
        File.WriteAllText(Path.Combine(dir, "plots", "time-vs-ram.svg"), Svg);
        File.WriteAllText(Path.Combine(dir, "plots", "notes.txt"), "not a plot");
        return dir;
    }

    /// <summary>The 8-byte PNG signature and a few bytes: enough to compare what is served.</summary>
    public static byte[] Png { get; } = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    public const string Svg = """<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>""";

    public void Dispose() => System.IO.Directory.Delete(Root, recursive: true);
}
