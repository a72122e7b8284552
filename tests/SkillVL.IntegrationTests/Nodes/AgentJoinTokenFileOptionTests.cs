using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// The agent's <c>--join-token-file</c> (ADR 0057): a token on the command line is in /proc/PID/cmdline for every local
/// user, so the file must be the owner's alone; a missing, open or doubled token is refused at start (exit 2), before
/// anything is made.
/// </summary>
public sealed class AgentJoinTokenFileOptionTests
{
    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "(mode 640); chmod 0600 it")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherWrite, "(mode 402); chmod 0600 it")]
    public async Task Agent_TokenFileOthersMayReadOrWrite_ExitsWith2(UnixFileMode mode, string message)
    {
        using var data = new TempDirectory("svl-join-token");
        using var secrets = new TempDirectory("svl-join-token-file");
        var file = secrets.Sub("token");
        await File.WriteAllTextAsync(file, "svl_join_not_a_real_token\n");
        File.SetUnixFileMode(file, mode);

        var (exitCode, _, stderr) = await AgentOptionRun.RunAgentAsync(data, "--join-token-file", file);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("svl_join_not_a_real_token", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Agent_TokenTwice_OrAMissingFile_ExitsWith2()
    {
        using var data = new TempDirectory("svl-join-token");
        var both = await AgentOptionRun.RunAgentAsync(data, "--join-token", "svl_join_x", "--join-token-file", data.Sub("token"));
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--join-token or --join-token-file, not both", both.Stderr, StringComparison.Ordinal);

        var missing = await AgentOptionRun.RunAgentAsync(data, "--join-token-file", data.Sub("nowhere"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }
}
