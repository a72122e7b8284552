namespace SkillVL.TestUtilities;

/// <summary>Finds the repository root (the directory holding SkillVL.slnx) from the test's output directory.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SkillVL.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No SkillVL.slnx above {AppContext.BaseDirectory}.");
    }
}
