using System.Diagnostics;

namespace SkillVL.IntegrationTests;

/// <summary>The tiny template build: $SKILLVL_TINY_IMAGE, else &lt;repo&gt;/.build/images/tiny (built once if missing).</summary>
internal static class TinyImage
{
    private static readonly Lazy<string> Built = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Directory() => Built.Value;

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("SKILLVL_TINY_IMAGE");
        var dir = string.IsNullOrEmpty(configured) ? Path.Combine(RepoRoot(), ".build", "images", "tiny") : configured;
        if (File.Exists(Path.Combine(dir, "template.json")))
        {
            return dir;
        }

        using var build = Process.Start(new ProcessStartInfo(Path.Combine(RepoRoot(), "images", "tiny", "build.sh"), [dir]))!;
        if (!build.WaitForExit(TimeSpan.FromMinutes(5)) || build.ExitCode != 0)
        {
            throw new InvalidOperationException($"images/tiny/build.sh {dir} failed; the integration tests need the tiny template.");
        }

        return dir;
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SkillVL.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SkillVL.slnx not found above the test directory.");
    }
}
