using System.Diagnostics;
using SkillVL.Testbed.Commands;
using SkillVL.Testbed.Planning;
using SkillVL.Testbed.State;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// up and down with (stand-in) agents, twice, after a crash, and when nothing is up: <c>down</c> must leave no
/// namespace, interface, process or file, and <c>up</c> must refuse to run over an existing testbed.
/// </summary>
public sealed class TestbedLifecycleTests(ITestOutputHelper output)
{
    private const string AdminToken = "svl_test-admin-token";

    [Fact]
    public async Task UpWithAgents_ThenDown_LeavesNoNamespaceInterfaceProcessOrFile()
    {
        using var scratch = new TempDirectory("tbx");
        await using var server = new FakeJoinTokenServer(scratch.Sub("agent.sock"));
        await using var bed = new TestbedUnderTest(output.WriteLine);
        var request = bed.Request(2, "laptop1") with
        {
            NoAgents = false, AgentCommand = FakeAgent.Write(scratch.Path), Server = server.Url, AdminToken = AdminToken,
        };

        var status = await bed.UpAsync(request);

        Assert.True(status.Healthy);
        Assert.All(status.Nodes, n => Assert.True(n.Agent is { Alive: true }, $"agent of {n.Name}"));
        Assert.Equal(Enumerable.Repeat($"POST /api/v1/nodes/join-tokens|Bearer {AdminToken}", 3), server.Requests);
        var tokens = new HashSet<string>();
        foreach (var node in status.Nodes)
        {
            // The agent runs inside the node's namespace with the node's own identity, token and directories.
            var directory = Path.Combine(bed.Names.StateDirectory, "nodes", node.Name);
            var log = await ReadWhenAsync(Path.Combine(directory, "agent.log"), text => text.Contains("netns:", StringComparison.Ordinal));
            output.WriteLine($"{node.Name} agent.log: {log.Trim()}");
            var args = log.Split('\n').Single(l => l.StartsWith("args: ", StringComparison.Ordinal))["args: ".Length..].Split(' ');
            var tokenFile = Path.Combine(directory, "join-token");
            Assert.Equal(
                ["--server", server.Url, "--join-token-file", tokenFile, "--name", node.Name, "--kind", node.Kind, "--underlay-address", node.Address,
                 "--data", Path.Combine(directory, "data"), "--runtime", Path.Combine(directory, "run"), "--accelerator", "tcg"],
                args);

            // The token in a file only its owner reads (the agent refuses a looser one), never on a command line.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
            var token = (await File.ReadAllTextAsync(tokenFile)).Trim();
            Assert.Matches("^jt-[0-9]+$", token);
            Assert.True(tokens.Add(token), "every node gets its own join token");
            Assert.DoesNotContain("jt-", log, StringComparison.Ordinal);
            Assert.Contains($"netns: {node.Namespace}", log, StringComparison.Ordinal);
            Assert.True(Directory.Exists(Path.Combine(directory, "data")));
        }

        // One-time tokens are not written down.
        Assert.DoesNotContain("jt-", await File.ReadAllTextAsync(Path.Combine(bed.Names.StateDirectory, TestbedPlan.StateFileName)), StringComparison.Ordinal);
        var processes = bed.Processes;
        Assert.Equal(4, processes.Count);

        var report = await bed.DownAsync();

        output.WriteLine($"down: {report}");
        // 3 agents + 1 emulator; bridge, 2 veths, 1 underlay tap (the client tap went with its namespace); 3 node directories,
        // nodes/, the state directory; the 3 nodes at the Server.
        Assert.Equal(new DownReport(false, 4, 4, 3, 5, 3), report);
        Assert.Empty(await bed.LeftoversAsync());
        Assert.All(processes, p => Assert.False(TestbedUnderTest.IsAlive(p.Key, p.Value), $"pid {p.Key}"));
        Assert.Equal(DownReport.Nothing, await bed.DownAsync());
    }

    [Fact]
    public async Task Up_WhenAlreadyUp_FailsWithAlreadyUpAndLeavesTheTestbedAlone()
    {
        await using var bed = new TestbedUnderTest(output.WriteLine);
        string[] up = ["up", "--no-agents", "--nodes", "1", "--prefix", bed.Names.Prefix, "--subnet", bed.Names.Subnet, "--state", bed.Names.StateDirectory];

        var (first, _, firstError) = await RunCliAsync(up);
        var (second, _, secondError) = await RunCliAsync(up);

        Assert.True(first == 0, firstError);
        Assert.Equal(ExitCodes.Conflict, second);
        Assert.Contains("already up", secondError, StringComparison.Ordinal);
        var status = await bed.Controller.StatusAsync(bed.Names.StateDirectory, CancellationToken.None);
        Assert.True(status is { Healthy: true, Nodes.Count: 1 });

        // Same prefix, another state directory: the names are taken.
        using var other = new TempDirectory("tbs");
        var (third, _, thirdError) = await RunCliAsync(
            ["up", "--no-agents", "--nodes", "1", "--prefix", bed.Names.Prefix, "--subnet", bed.Names.Subnet, "--state", other.Sub("state")]);
        Assert.Equal(ExitCodes.Conflict, third);
        Assert.Contains($"{bed.Names.Prefix}0 already exists", thirdError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(other.Sub("state")));

        var (down, downOut, downError) = await RunCliAsync(["down", "--state", bed.Names.StateDirectory]);
        Assert.True(down == 0, downError);
        Assert.Contains("testbed removed", downOut, StringComparison.Ordinal);
        Assert.Empty(await bed.LeftoversAsync());
    }

    [Fact]
    public async Task Down_WhenNothingIsUp_ExitsZeroAndSaysSo()
    {
        var names = TestbedNames.Create();

        var (exitCode, stdout, stderr) = await RunCliAsync(["down", "--state", names.StateDirectory]);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("no testbed is up", stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(names.StateDirectory));
        var (statusCode, statusOut, _) = await RunCliAsync(["status", "--state", names.StateDirectory]);
        Assert.Equal(0, statusCode);
        Assert.Contains("no testbed is up", statusOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_WhenTheServerRefusesTheAdminToken_FailsAndCreatesNothing()
    {
        using var scratch = new TempDirectory("tbx");
        await using var server = new FakeJoinTokenServer(scratch.Sub("agent.sock")) { Refuse = true };
        await using var bed = new TestbedUnderTest(output.WriteLine);

        var (exitCode, _, stderr) = await RunCliAsync(
        [
            "up", "--nodes", "1", "--prefix", bed.Names.Prefix, "--subnet", bed.Names.Subnet, "--state", bed.Names.StateDirectory,
            "--agent-command", FakeAgent.Write(scratch.Path), "--server", server.Url, "--admin-token", "wrong",
        ]);

        output.WriteLine(stderr);
        Assert.Equal(ExitCodes.Error, exitCode);
        Assert.Contains("refused the admin token (401)", stderr, StringComparison.Ordinal);
        Assert.Empty(await bed.LeftoversAsync());
    }

    [Fact]
    public async Task Up_WhenAnAgentExitsAtOnce_FailsWithItsLogAndRemovesWhatItCreated()
    {
        using var scratch = new TempDirectory("tbx");
        await using var server = new FakeJoinTokenServer(scratch.Sub("agent.sock"));
        await using var bed = new TestbedUnderTest(output.WriteLine);
        var request = bed.Request(1, "laptop1") with
        {
            NoAgents = false, AgentCommand = FakeAgent.Write(scratch.Path, exitAtOnce: true), Server = server.Url, AdminToken = AdminToken,
        };

        var failure = await Assert.ThrowsAsync<TestbedException>(() => bed.UpAsync(request));

        output.WriteLine(failure.Message);
        Assert.Contains("fake agent: cannot enrol (test)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("removing what was created", bed.Progress.ToString(), StringComparison.Ordinal);
        Assert.Empty(await bed.LeftoversAsync());
    }

    [Fact]
    public async Task Down_AfterUpWasKilledHalfway_RemovesEverythingItHadMade()
    {
        using var scratch = new TempDirectory("tbx");
        await using var server = new FakeJoinTokenServer(scratch.Sub("agent.sock"));
        await using var bed = new TestbedUnderTest(output.WriteLine);
        var stateFile = Path.Combine(bed.Names.StateDirectory, TestbedPlan.StateFileName);

        // The real program, SIGKILLed as soon as the second of three nodes has its agent: no chance to clean up.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[
                     Path.Combine(AppContext.BaseDirectory, "skillvl-testbed.dll"), "up", "--nodes", "2", "--client", "laptop1",
                     "--prefix", bed.Names.Prefix, "--subnet", bed.Names.Subnet, "--state", bed.Names.StateDirectory,
                     "--agent-command", FakeAgent.Write(scratch.Path), "--server", server.Url, "--admin-token", AdminToken])
        {
            start.ArgumentList.Add(argument);
        }

        using (var up = Process.Start(start)!)
        {
            try
            {
                await Bounded.WaitUntilAsync(
                    () => StateFile.Load(stateFile) is { Nodes: [_, { Agent: not null }, ..] } || up.HasExited,
                    TimeSpan.FromSeconds(60),
                    "up to start the agent of node2",
                    TimeSpan.FromMilliseconds(10));
            }
            finally
            {
                up.Kill();
                await up.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        var crashed = StateFile.Load(stateFile)!;
        output.WriteLine($"killed up with {crashed.Nodes.Count} nodes recorded, phase {crashed.Phase}");
        Assert.Equal(TestbedPhase.Creating, crashed.Phase);
        var processes = bed.Processes;
        Assert.NotEmpty(processes);
        Assert.Contains(processes, p => TestbedUnderTest.IsAlive(p.Key, p.Value));

        // Another process than up's: it is given the admin token (up did not write it down) to remove the Server's nodes.
        var (exitCode, stdout, stderr) = await RunCliAsync(["down", "--state", bed.Names.StateDirectory, "--admin-token", AdminToken]);

        output.WriteLine(stdout + stderr);
        Assert.True(exitCode == 0, stderr);
        Assert.Empty(await bed.LeftoversAsync());
        Assert.All(processes, p => Assert.False(TestbedUnderTest.IsAlive(p.Key, p.Value), $"pid {p.Key}"));
    }

    private static async Task<string> ReadWhenAsync(string path, Func<string, bool> complete)
    {
        var text = "";
        await Bounded.WaitUntilAsync(
            () => File.Exists(path) && complete(text = File.ReadAllText(path)), TimeSpan.FromSeconds(10), $"{path} to be written");
        return text;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(string[] args)
    {
        var stdout = new SynchronizedWriter();
        var stderr = new SynchronizedWriter();
        var exitCode = await Bounded.WithinAsync(
            TestbedApplication.RunAsync(args, new TestbedContext(stdout, stderr, TimeProvider.System), CancellationToken.None),
            TimeSpan.FromMinutes(2),
            $"skillvl-testbed {string.Join(' ', args)}");
        output.WriteLine($"$ skillvl-testbed {string.Join(' ', args)}\n-> exit {exitCode}\n{stdout}{stderr}");
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
