using System.Text.Json;
using SkillVL.Experiments;
using SkillVL.Experiments.Host;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Experiments;

/// <summary>
/// <c>skillvl experiment run</c> with <c>where: nodes</c> (issue 13) against a running Server whose nodes it did not
/// make — here a testbed's node1 and laptop1 behind a 50 Mbit/s, 40 ms link, standing in for real hosts. Run at the end
/// of a testbed test that has them (<see cref="Nodes.MigrationTestbedTests"/>), so it costs one run, not a testbed.
/// </summary>
internal static class ExistingNodesExperiment
{
    /// <summary>Bad connections and names are refused before anything runs (exit 2, naming the option or field); then
    /// one run moves a VM node1 → laptop1: succeeded, no link bytes (the runner cannot count a real link's), and the
    /// link the Server's probe measured in results.csv beside the stated one.</summary>
    public static async Task RunAndCheckAsync(ServerHarness server, ITestOutputHelper output, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("svl-exp-nodes-");
        try
        {
            var token = Path.Combine(dir.FullName, "token");
            await File.WriteAllTextAsync(token, server.AdminToken, ct);
            File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            var spec = await SpecAsync(dir.FullName, "laptop1", ct);
            var outDir = Path.Combine(dir.FullName, "out");
            string[] connection = ["--out", outDir, "--server", server.BaseUrl, "--token-file", token];

            await ExpectUsageAsync(["run", spec, .. connection], "--token-file: " + token + " can be read by other users", output, ct);
            File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await ExpectUsageAsync(["run", spec, "--out", outDir, "--token-file", token], "--server: where: nodes runs on an existing Server", output, ct);
            await ExpectUsageAsync(["run", await SpecAsync(dir.FullName, "laptop9", ct), .. connection], "where.nodes.to: \"laptop9\" is not a node of", output, ct);
            Assert.False(File.Exists(Path.Combine(outDir, ResultsCsv.FileName)), "a refused run wrote results");

            var (code, stdout, stderr) = await RunAsync(["run", spec, .. connection], ct);
            output.WriteLine(stdout + stderr);
            Assert.True(code == 0, stderr);
            var row = Assert.Single(ResultsCsv.Read(Path.Combine(outDir, ResultsCsv.FileName)));
            var m = row.Measurement;
            Assert.True(m.Outcome == RunMeasurement.Succeeded, m.Error);
            Assert.True(m.TotalSeconds > 0 && m.RamBytes > 0, $"{m}");
            Assert.Null(m.LinkBytes);
            Assert.Equal(("50Mbit", "40ms"), (row.Cell.Level(Factor.Bandwidth), row.Cell.Level(Factor.Rtt)));
            var link = m.Link ?? throw new Xunit.Sdk.XunitException("no link in results.csv");
            Assert.Equal("measured", link.Source);
            Assert.InRange(link.Mbit, 35, 65);
            Assert.InRange(link.RttMs, 35, 60);
            using var environment = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "environment.json"), ct));
            Assert.Contains("tcg", environment.RootElement.ToString(), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(outDir, ReportWriter.FileName)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<string> SpecAsync(string dir, string to, CancellationToken ct)
    {
        var path = Path.Combine(dir, $"to-{to}.yaml");
        await File.WriteAllTextAsync(path, $$"""
            name: wan-nodes
            where:
              nodes: { from: node1, to: {{to}} }
              template: tiny
            factors:
              bandwidth: 50Mbit
              rtt: 40ms
            """, ct);
        return path;
    }

    private static async Task ExpectUsageAsync(string[] args, string expected, ITestOutputHelper output, CancellationToken ct)
    {
        var (code, stdout, stderr) = await RunAsync(args, ct);
        output.WriteLine($"experiment {string.Join(' ', args)} → {code}: {stdout}{stderr}");
        Assert.Equal(ExperimentApplication.Usage, code);
        Assert.Contains("skillvl experiment: " + expected, stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] args, CancellationToken ct)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await ExperimentApplication.RunAsync(args, stdout, stderr, ct);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
