using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Debian;

/// <summary>
/// The debian12 guest template (images/debian12/build.sh, ADR 0059): <c>$SKILLVL_DEBIAN_IMAGE</c> when set (test.sh
/// builds it beside the unit groups), else built into <c>&lt;repo&gt;/.build/images/debian12</c> when it is not there.
/// </summary>
public static class DebianImage
{
    public const string EnvironmentVariable = "SKILLVL_DEBIAN_IMAGE";

    /// <summary>debootstrap plus a compressed qcow2 on two shared cores; the first build also downloads the packages.</summary>
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);

    private static readonly string[] Outputs = ["disk.qcow2", "template.json"];

    public static async Task<string> EnsureAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return Outputs.All(f => File.Exists(Path.Combine(given, f)))
                ? given
                : throw new InvalidOperationException($"{EnvironmentVariable}={given} does not hold {string.Join(", ", Outputs)}.");
        }

        var repository = RepositoryRoot.Find();
        var output = Path.Combine(repository, ".build", "images", "debian12");
        if (Outputs.All(f => File.Exists(Path.Combine(output, f))))
        {
            return output;
        }

        HostTools.RequireRoot();
        var (exitCode, stdout, stderr) = await HostTools.RunAsync(
            "bash", [Path.Combine(repository, "images", "debian12", "build.sh"), output], BuildTimeout);
        return exitCode == 0 ? output : throw new InvalidOperationException($"images/debian12/build.sh failed ({exitCode}):\n{stdout}\n{stderr}");
    }
}
