namespace SkillVL.Testbed.Tools;

/// <summary>
/// Finds the programs the testbed starts: skillvl-linkem and the node agent. Given explicitly by an option, or
/// looked for next to this program (a build output that holds both) and then in the repository's <c>.build/</c>
/// (where <c>scripts/bootstrap.sh</c> publishes them). A <c>.dll</c> is run with <c>dotnet</c>.
/// </summary>
internal static class ToolLocator
{
    /// <summary>The command (argv prefix) that runs the tool.</summary>
    /// <param name="option">The option that names it explicitly, for messages (<c>--linkem</c>).</param>
    /// <param name="explicitPath">Its value, or null.</param>
    /// <param name="fileName">The tool's file name (<c>skillvl-linkem</c>).</param>
    /// <param name="buildDirectory">Its publish directory below the repository root (<c>.build/linkem</c>).</param>
    /// <param name="howToBuild">The command that builds it, for the message when it is missing.</param>
    /// <param name="alternative">Appended to that message (another way out), or empty.</param>
    /// <exception cref="TestbedException">Not found; the message says where it looked and how to build it.</exception>
    public static IReadOnlyList<string> Resolve(string option, string? explicitPath, string fileName, string buildDirectory, string howToBuild, string alternative = "")
    {
        if (explicitPath is not null)
        {
            var full = Path.GetFullPath(explicitPath);
            if (!File.Exists(full))
            {
                throw TestbedException.Usage(option, $"{full} does not exist");
            }

            return Command(full);
        }

        var candidates = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, fileName),
            Path.Combine(AppContext.BaseDirectory, fileName + ".dll"),
        };
        if (RepositoryRoot() is { } root)
        {
            candidates.Add(Path.Combine(root, buildDirectory, fileName));
        }

        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return Command(candidate);
            }
        }

        throw new TestbedException(
            ExitCodes.Usage,
            $"{fileName} not found (looked at {string.Join(", ", candidates)}); build it with `{howToBuild}` or name it with {option} PATH{alternative}",
            option);
    }

    /// <summary>The repository root (the directory with SkillVL.slnx) above this program, or null when installed elsewhere.</summary>
    public static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SkillVL.slnx")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private static string[] Command(string path) =>
        path.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", path] : [path];
}
