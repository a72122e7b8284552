namespace SkillVL.IntegrationTests;

internal static class TempDirectory
{
    /// <summary>A new directory with a short path under /tmp (unix socket paths are limited to 107 bytes).</summary>
    public static string CreateShort(string prefix)
    {
        var path = Path.Combine("/tmp", $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
