namespace SkillVL.ProxmoxSimulator;

/// <summary>
/// Finds the Proxmox research folder (<c>shared/proxmox</c>: the official 9.1 API schema and the captured fixtures) next to
/// the repository or above it, or where <c>SKILLVL_PVE_RESEARCH</c> points. The files are not copied into the repository:
/// the schema is Proxmox's (AGPL) and NOTES.md asks not to commit it verbatim. Missing files fail loudly, never skip.
/// </summary>
public static class ResearchFiles
{
    public const string Variable = "SKILLVL_PVE_RESEARCH";

    public static string Directory { get; } = Find();

    public static string Schema => Path.Combine(Directory, "api-flat-9.1.json");

    public static string Fixture(string name) => Path.Combine(Directory, "fixtures", name);

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            return File.Exists(Path.Combine(given, "api-flat-9.1.json"))
                ? given
                : throw new InvalidOperationException($"{Variable}={given} has no api-flat-9.1.json");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "proxmox");
            if (File.Exists(Path.Combine(candidate, "api-flat-9.1.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"the Proxmox research folder (shared/proxmox with api-flat-9.1.json) is not above {AppContext.BaseDirectory}; set {Variable}");
    }
}
