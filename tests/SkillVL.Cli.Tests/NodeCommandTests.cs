using System.Net;
using SkillVL.Core.Api;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Cli.Tests;

public sealed class NodeCommandTests
{
    [Fact]
    public async Task JoinToken_PrintsOnlyTheTokenOnStdout()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/nodes/join-tokens", Answers.Json(HttpStatusCode.OK, new JoinTokenInfo("svl_join_abc", DateTimeOffset.UnixEpoch)));

        var run = await harness.RunAsync("node", "join-token", "--expires-in-minutes", "15");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("svl_join_abc\n", run.Stdout);
        Assert.Contains("\"expiresInMinutes\":15", harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drain", "/api/v1/nodes/edge1/drain", "node edge1 drained")]
    [InlineData("undrain", "/api/v1/nodes/edge1/undrain", "node edge1 takes new machines again")]
    public async Task DrainUndrain_PostToTheNode(string verb, string path, string printed)
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", path, new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("node", verb, "edge1");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains(printed, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issue11_List_OwnAllocation_IsLabelledAsYours()
    {
        var harness = new CliHarness();
        var node = new NodeInfo("edge1", "agent", "ready", "kvm", 8, 16L << 30, 1, 2, 1L << 30, Allocation: NodeInfo.AllocationYours);
        harness.Handler.On("GET", "/api/v1/nodes", Answers.Json(HttpStatusCode.OK, new[] { node }));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("YOUR MACHINES", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("YOUR CPUS/TOTAL", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("YOUR MEMORY/TOTAL", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ALLOC/TOTAL", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("2/8", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("allocation: yours", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_AdminView_KeepsTheWholeNodeColumns()
    {
        var harness = new CliHarness();
        var node = new NodeInfo("edge1", "agent", "ready", "kvm", 8, 16L << 30, 3, 6, 4L << 30, UnderlayAddress: "198.18.0.12");
        harness.Handler.On("GET", "/api/v1/nodes", Answers.Json(HttpStatusCode.OK, new[] { node }));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("CPUS (ALLOC/TOTAL)", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("YOUR", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("6/8", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public async Task Remove_UnknownNode_ExitsNotFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/nodes/ghost", Answers.Problem(HttpStatusCode.NotFound, "Not found", "Node 'ghost' does not exist."));

        var run = await harness.RunAsync("node", "remove", "ghost");

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
    }
}
