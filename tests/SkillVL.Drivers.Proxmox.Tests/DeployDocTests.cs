using SkillVL.Drivers.Proxmox.Checks;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>docs/deploy/proxmox.md's role is the one the cluster check checks, so following the page passes the check.</summary>
public sealed class DeployDocTests
{
    [Fact]
    public void DeployDoc_RoleLine_HasExactlyTheCheckedPrivileges()
    {
        var doc = File.ReadAllLines(Path.Combine(RepoRoot(), "docs", "deploy", "proxmox.md"));
        var roles = doc.Where(l => l.StartsWith("pveum role add", StringComparison.Ordinal))
            .SelectMany(l => l.Split('"')[1].Split(','))
            .Order(StringComparer.Ordinal);

        Assert.Equal(RequiredPrivileges.Role(9), roles);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SkillVL.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SkillVL.slnx not found above the test directory.");
    }
}
