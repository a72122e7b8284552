namespace SkillVL.Server.Experiments;

/// <summary>Settings of the read-only experiments API (section SkillVL:Experiments, ADR 0029).</summary>
public sealed class ExperimentsOptions
{
    /// <summary>
    /// The directory whose subdirectories are <c>skillvl experiment run --out</c> directories (each with results.csv
    /// or report.md). Empty (default): &lt;DataDirectory&gt;/experiments. A missing directory lists no runs. The
    /// Server only reads it; point it at the runs' parent directory or copy runs into it.
    /// </summary>
    public string Directory { get; set; } = "";

    /// <summary>The directory in effect for a Server whose data directory is <paramref name="dataDirectory"/>.</summary>
    public string DirectoryIn(string dataDirectory) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(Directory) ? Path.Combine(dataDirectory, "experiments") : Directory);
}
