using System.Text.Json;
using System.Text.RegularExpressions;

namespace SkillVL.Cli.Configuration;

/// <summary>
/// The clusters <c>skillvl cluster add</c> registered, in <c>~/.config/skillvl/clusters.json</c>: owner-only (0600, created
/// so before the secret is written, replaced in one rename), because it holds the tokens' secrets.
/// </summary>
internal sealed partial class ClusterRegistry(CliEnvironment environment)
{
    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Path => System.IO.Path.Combine(environment.HomeDirectory, ".config", "skillvl", "clusters.json");

    /// <summary>A cluster name: a DNS label, so it is safe in messages, paths and later as a SkillVL node prefix.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    public SortedDictionary<string, RegisteredCluster> Load()
    {
        if (!File.Exists(Path))
        {
            return new(StringComparer.Ordinal);
        }

        try
        {
            return new(JsonSerializer.Deserialize<Dictionary<string, RegisteredCluster>>(File.ReadAllText(Path), FileJson) ?? [], StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new CliException($"cannot read {Path}: {e.Message}", ExitCodes.Error);
        }
    }

    public void Save(SortedDictionary<string, RegisteredCluster> clusters)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(JsonSerializer.Serialize(clusters, FileJson) + "\n");
            }

            // A leftover .tmp from an interrupted run keeps its old mode (UnixCreateMode applies to new files only).
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {Path}: {e.Message}", ExitCodes.Error);
        }
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
