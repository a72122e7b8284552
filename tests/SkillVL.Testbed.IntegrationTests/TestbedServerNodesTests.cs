using SkillVL.Testbed.Commands;
using SkillVL.Testbed.Planning;
using SkillVL.Testbed.State;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// <c>down</c> removes the Server's side too (issue 12): each node <c>up</c> started an agent for is removed with
/// <c>DELETE /api/v1/nodes/{name}</c> (the stand-in join-token server records it). A node the Server does not know
/// (404) and a Server that is gone are fine; a refusal (409: machines still on the node) is listed, the state stays,
/// and the next <c>down</c> finishes the job.
/// </summary>
public sealed class TestbedServerNodesTests(ITestOutputHelper output)
{
    private const string AdminToken = "svl_test-admin-token";

    [Fact]
    public async Task Down_DeletesEveryNodeUpEnrolledAtTheServer_A404IsFine_BehindNatToo()
    {
        using var scratch = new TempDirectory("tbx");
        await using var server = new FakeJoinTokenServer(scratch.Sub("agent.sock"));
        server.DeleteAnswers["node2"] = "404 Not Found";
        await using var bed = new TestbedUnderTest(output.WriteLine);
        var request = bed.Request(2, "laptop1") with
        {
            NoAgents = false, AgentCommand = FakeAgent.Write(scratch.Path), Server = server.Url, AdminToken = AdminToken, BehindNat = true,
        };

        await bed.UpAsync(request);

        // The client's agent is given its own (inside) address; the state names the Server's nodes, no token.
        var log = await ReadWhenAsync(Path.Combine(bed.Names.StateDirectory, "nodes", "laptop1", "agent.log"));
        Assert.Contains("--underlay-address 100.64.1.2 ", log, StringComparison.Ordinal);
        var stateFile = Path.Combine(bed.Names.StateDirectory, TestbedPlan.StateFileName);
        Assert.Equal(["node1", "node2", "laptop1"], StateFile.Load(stateFile)!.ServerNodes);
        var text = await File.ReadAllTextAsync(stateFile);
        Assert.DoesNotContain(AdminToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("jt-", text, StringComparison.Ordinal);

        var (exitCode, stdout, stderr) = await RunCliAsync(["down", "--state", bed.Names.StateDirectory, "--admin-token", AdminToken]);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(
            ["DELETE /api/v1/nodes/node1", "DELETE /api/v1/nodes/node2", "DELETE /api/v1/nodes/laptop1"],
            server.Requests.Where(r => r.StartsWith("DELETE", StringComparison.Ordinal)).Select(r => r.Split('|')[0]));
        Assert.All(server.Requests, r => Assert.EndsWith($"|Bearer {AdminToken}", r, StringComparison.Ordinal));
        Assert.Contains("removed node laptop1", stdout, StringComparison.Ordinal);
        Assert.Contains("node node2 is not enrolled", stdout, StringComparison.Ordinal);
        Assert.Contains("removed 2 nodes at the Server", stdout, StringComparison.Ordinal);
        Assert.Empty(await bed.LeftoversAsync());
    }

    [Fact]
    public async Task Down_WhenTheServerIsGone_SaysSoAndRemovesTheRest()
    {
        using var scratch = new TempDirectory("tbx");
        var server = new FakeJoinTokenServer(scratch.Sub("agent.sock"));
        await using var bed = new TestbedUnderTest(output.WriteLine);
        try
        {
            await bed.UpAsync(bed.Request(1) with { NoAgents = false, AgentCommand = FakeAgent.Write(scratch.Path), Server = server.Url, AdminToken = AdminToken });
        }
        finally
        {
            // The Server stops (its socket goes with it) before the testbed is taken down.
            await server.DisposeAsync();
        }

        var report = await bed.DownAsync();

        output.WriteLine(bed.Progress.ToString());
        Assert.Equal(0, report.ServerNodes);
        Assert.Contains("nothing listens at", bed.Progress.ToString(), StringComparison.Ordinal);
        Assert.Empty(await bed.LeftoversAsync());
    }

    [Fact]
    public async Task Down_WhenTheServerRefusesANode_ListsItKeepsTheState_AndTheNextDownFinishes()
    {
        using var scratch = new TempDirectory("tbx");
        await using var server = new FakeJoinTokenServer(scratch.Sub("agent.sock"));
        server.DeleteAnswers["node1"] = "409 Conflict";
        await using var bed = new TestbedUnderTest(output.WriteLine);
        string[] up =
        [
            "up", "--nodes", "2", "--prefix", bed.Names.Prefix, "--subnet", bed.Names.Subnet, "--state", bed.Names.StateDirectory,
            "--agent-command", FakeAgent.Write(scratch.Path), "--server", server.Url, "--admin-token", AdminToken,
        ];
        Assert.Equal(0, (await RunCliAsync(up)).ExitCode);

        // Another process: the token is not in the state, so down without one cannot remove the Server's nodes.
        var (noToken, _, noTokenError) = await RunCliAsync(["down", "--state", bed.Names.StateDirectory, "--admin-token-file", scratch.Sub("missing")]);
        Assert.Equal(ExitCodes.Error, noToken);
        Assert.Contains("remove node1, node2 from the Server", noTokenError, StringComparison.Ordinal);
        Assert.Contains("--admin-token-file", noTokenError, StringComparison.Ordinal);

        var (refused, _, refusedError) = await RunCliAsync(["down", "--state", bed.Names.StateDirectory, "--admin-token", AdminToken]);

        Assert.Equal(ExitCodes.Error, refused);
        Assert.Contains("remove node node1 from the Server", refusedError, StringComparison.Ordinal);
        Assert.Contains("answered 409", refusedError, StringComparison.Ordinal);
        Assert.Equal(["node1"], StateFile.Load(Path.Combine(bed.Names.StateDirectory, TestbedPlan.StateFileName))!.ServerNodes);
        Assert.Equal([$"directory {bed.Names.StateDirectory}"], await bed.LeftoversAsync());

        server.DeleteAnswers.Clear();
        var (again, _, againError) = await RunCliAsync(["down", "--state", bed.Names.StateDirectory, "--admin-token", AdminToken]);

        Assert.True(again == 0, againError);
        Assert.Equal(2, server.Requests.Count(r => r.StartsWith("DELETE /api/v1/nodes/node1|", StringComparison.Ordinal)));
        Assert.Equal(1, server.Requests.Count(r => r.StartsWith("DELETE /api/v1/nodes/node2|", StringComparison.Ordinal)));
        Assert.Empty(await bed.LeftoversAsync());
    }

    private static async Task<string> ReadWhenAsync(string path)
    {
        var text = "";
        await Bounded.WaitUntilAsync(
            () => File.Exists(path) && (text = File.ReadAllText(path)).Contains("netns:", StringComparison.Ordinal), TimeSpan.FromSeconds(10), $"{path} to be written");
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
