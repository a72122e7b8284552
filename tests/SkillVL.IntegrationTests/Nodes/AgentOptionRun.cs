using SkillVL.TestUtilities;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>The agent program started with options that its start must refuse before it makes anything or calls the Server.</summary>
internal static class AgentOptionRun
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAgentAsync(TempDirectory data, params string[] options) =>
        HostTools.RunAsync(
            "dotnet",
            [
                Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll"), "--server", "http://127.0.0.1:9", "--name", "node9",
                "--data", data.Path, "--runtime", data.Sub("run"), .. options,
            ],
            TimeSpan.FromSeconds(60));
}
