using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>The agent's <c>--disk-store rbd</c> flags (ADR 0055): a pool, a user and absolute paths QEMU can parse, or the
/// agent refuses to start, naming the flag, before anything is made.</summary>
public sealed class AgentDiskStoreOptionTests
{
    [Theory]
    [InlineData(new[] { "--disk-store", "rbd" }, "--disk-store rbd: --rbd-pool must be a Ceph pool name")]
    [InlineData(new[] { "--disk-store", "rbd", "--rbd-pool", "vm/disks" }, "--disk-store rbd: --rbd-pool must be a Ceph pool name")]
    [InlineData(new[] { "--disk-store", "rbd", "--rbd-pool", "vms", "--ceph-user", "client.x" }, "--ceph-user must be a cephx user without 'client.'")]
    [InlineData(new[] { "--disk-store", "rbd", "--rbd-pool", "vms", "--ceph-conf", "ceph.conf" }, "--ceph-conf must be an absolute path")]
    [InlineData(new[] { "--disk-store", "rbd", "--rbd-pool", "vms", "--ceph-keyring", "/etc/ceph/k,file=/etc/shadow" }, "--ceph-keyring must be an absolute path")]
    [InlineData(new[] { "--rbd-pool", "vms" }, "--rbd-pool needs --disk-store rbd.")]
    public async Task Agent_BadRbdFlags_ExitWith2AndNameTheFlag(string[] flags, string message)
    {
        using var data = new TempDirectory("svl-disk-store");
        var (exitCode, _, stderr) = await AgentOptionRun.RunAgentAsync(data, flags);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Agent_UnknownDiskStore_IsRefusedNamingTheChoices()
    {
        using var data = new TempDirectory("svl-disk-store");
        var (exitCode, _, stderr) = await AgentOptionRun.RunAgentAsync(data, "--disk-store", "nfs");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'file'", stderr, StringComparison.Ordinal);
        Assert.Contains("'rbd'", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }
}
