using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>The agent's <c>--relay-port</c> (ADR 0019): a port out of range is refused at start, before anything is made.</summary>
public sealed class AgentRelayPortOptionTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    public async Task Agent_RelayPortOutOfRange_ExitsWith2AndNamesTheOption(string port)
    {
        using var data = new TempDirectory("svl-relay-port");
        var (exitCode, _, stderr) = await HostTools.RunAsync(
            "dotnet",
            [
                Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll"), "--server", "http://127.0.0.1:9", "--name", "node9",
                "--underlay-address", "198.18.0.9", "--relay-port", port, "--data", data.Path, "--runtime", data.Sub("run"),
            ],
            TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains($"--relay-port {port} is outside 1..65535", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }
}
