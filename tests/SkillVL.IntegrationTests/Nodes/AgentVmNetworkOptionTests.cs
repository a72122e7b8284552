using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>The agent's <c>--vm-network</c> (ADR 0052): stream mode only on a client node, and only bridge or stream;
/// refused at start, before anything is made.</summary>
public sealed class AgentVmNetworkOptionTests
{
    [Theory]
    [InlineData("server", "--vm-network stream is for client nodes (--kind client), not server.")]
    [InlineData("edge", "--vm-network stream is for client nodes (--kind client), not edge.")]
    public async Task Agent_StreamModeOnANonClientNode_ExitsWith2AndSaysWhy(string kind, string message)
    {
        using var data = new TempDirectory("svl-vm-network");
        var (exitCode, _, stderr) = await AgentOptionRun.RunAgentAsync(data, "--kind", kind, "--vm-network", "stream");

        Assert.Equal(2, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Agent_UnknownVmNetwork_IsRefusedNamingTheChoices()
    {
        using var data = new TempDirectory("svl-vm-network");
        var (exitCode, _, stderr) = await AgentOptionRun.RunAgentAsync(data, "--kind", "client", "--vm-network", "slirp");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("slirp", stderr, StringComparison.Ordinal);
        Assert.Contains("'bridge'", stderr, StringComparison.Ordinal);
        Assert.Contains("'stream'", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }
}
