using System.Net;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 14, ADR 0027, end to end: a real agent process (`skillvl-agent`, enrolled over the join flow) sends its /proc
/// load with its heartbeats; the Server keeps the series and shows it to an admin only; the recommendations route needs
/// a platform user.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class NodeLoadSignalTests(ITestOutputHelper output)
{
    private const string Node = "loadnode1";

    [Fact]
    public async Task Heartbeats_CarryTheNodesLoad_SeriesForAdminsOnly_RecommendationsNeedALogin()
    {
        await using var server = await ServerHarness.StartAsync();
        var socket = Path.Combine(server.RuntimeDirectory, "agent.sock");
        var agentData = Path.Combine(server.Root, Node, "data");
        var agentRun = Path.Combine(server.Root, Node, "run");
        var join = await Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        var agent = AgentProcess.Start(
            "--server", "unix:" + socket, "--join-token", join.Token, "--name", Node,
            "--data", agentData, "--runtime", agentRun, "--accelerator", "tcg");
        try
        {
            // The hello brings the first sample (no CPU figure yet: it needs two readings); heartbeats every 5 s bring the rest.
            NodeLoadSeries? series = null;
            await Bounded.WaitUntilAsync(
                async () =>
                {
                    series = await server.Client.GetFromJsonAsync<NodeLoadSeries>(ApiPaths.Nodes + $"/{Node}/load", ServerHarness.Json);
                    return series!.Samples.Count(s => s.CpuUtilization is not null) >= 2;
                },
                TimeSpan.FromSeconds(60),
                $"two heartbeats with a CPU figure from {Node}");
            output.WriteLine(string.Join("\n", series!.Samples));
            Assert.Equal((Node, 1800.0), (series.Node, series.WindowSeconds));
            Assert.All(series.Samples, s =>
            {
                Assert.NotNull(s.At);
                Assert.NotNull(s.LoadAverage1);
                Assert.True(s.MemoryAvailableBytes is > 0, $"{s}");
            });
            Assert.Equal(series.Samples.OrderBy(s => s.At), series.Samples);
            Assert.All(series.Samples.Where(s => s.CpuUtilization is not null), s => Assert.InRange(s.CpuUtilization!.Value, 0, 1));
            Assert.Equal(File.Exists("/proc/pressure/cpu"), series.Samples[^1].CpuPressure is not null);

            // The Server times a node.ping on the agent's connection with each heartbeat: the node's link to it.
            await Bounded.WaitUntilAsync(
                async () => (series = await server.Client.GetFromJsonAsync<NodeLoadSeries>(ApiPaths.Nodes + $"/{Node}/load", ServerHarness.Json))!.RoundTripMs is not null,
                TimeSpan.FromSeconds(30),
                $"a round trip to {Node}");
            output.WriteLine($"round trip {series!.RoundTripMs} ms");
            Assert.InRange(series.RoundTripMs!.Value, 0.001, 5000);

            var adminView = (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Single(n => n.Name == Node);
            Assert.NotNull(adminView.Load?.At);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(ApiPaths.Nodes + "/nowhere/load")).StatusCode);

            using var student = await Users.AddAndLoginAsync(server, "sara", PlatformRoles.Student);
            Assert.Equal(HttpStatusCode.Forbidden, (await student.Client.GetAsync(ApiPaths.Nodes + $"/{Node}/load")).StatusCode);
            var studentView = (await student.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Single(n => n.Name == Node);
            Assert.Null(studentView.Load);

            using var anonymous = server.ClientWith(null);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ApiPaths.Recommendations)).StatusCode);
            var none = await Users.ReadAsync<List<RecommendationInfo>>(await student.Client.GetAsync(ApiPaths.Recommendations), HttpStatusCode.OK);
            Assert.Empty(none); // sara has no machines
        }
        finally
        {
            output.WriteLine(agent.Log);
            await agent.DisposeAsync();
            await ProcessReaper.KillAllUnderAsync(agentRun);
            if (File.Exists(Path.Combine(agentData, "instance-id")))
            {
                await HostInterfaces.DeleteWithAliasAsync($"skillvl:{File.ReadAllText(Path.Combine(agentData, "instance-id")).Trim()}");
            }
        }
    }
}
