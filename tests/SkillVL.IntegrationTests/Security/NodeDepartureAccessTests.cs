using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Placements;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.IntegrationTests.Auth;
using SkillVL.IntegrationTests.Nodes;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Who may announce a client node's departure (ADR 0063), over HTTP and the CLI, with bob's computer enrolled by a real
/// agent through his own client token: unauthenticated 401; carol, who may not know bob's computer, 404 (as for a node
/// that does not exist); a server node 403 for a student, 400 naming <c>node</c> for an admin; bad <c>inSeconds</c> 400
/// naming the field and nothing announced; bob and an admin may, and withdraw it.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class NodeDepartureAccessTests(ITestOutputHelper output)
{
    private const string Laptop = "laptop-bob";

    [Fact]
    public async Task Departure_OwnerAndAdminOnly_OthersLearnNothing_BadInputNamesTheField()
    {
        await using var server = await ServerHarness.StartAsync(o => o.Placement.EvaluateEverySeconds = 0);
        var agentData = Path.Combine(server.Root, Laptop, "data");
        var agentRun = Path.Combine(server.Root, Laptop, "run");
        using var bob = await Users.AddAndLoginAsync(server, "bob", PlatformRoles.Student);
        using var carol = await Users.AddAndLoginAsync(server, "carol", PlatformRoles.Student);
        var join = await Users.ReadAsync<JoinTokenInfo>(
            await bob.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10, "client"), ServerHarness.Json), HttpStatusCode.OK);
        var agent = AgentProcess.Start(
            "--server", "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"), "--join-token", join.Token, "--name", Laptop, "--kind", "client",
            "--data", agentData, "--runtime", agentRun, "--accelerator", "tcg");
        try
        {
            await Bounded.WaitUntilAsync(
                async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == Laptop && n.State == "ready"),
                TimeSpan.FromSeconds(60), $"node {Laptop} to be ready");
            var announce = new NodeDepartureRequest(120);

            using (var anonymous = server.ClientWith(null))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(ApiPaths.NodeDeparture(Laptop), announce, ServerHarness.Json)).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync(ApiPaths.NodeDeparture(Laptop))).StatusCode);
            }

            // Carol: bob's computer does not exist for her, as a node that does not; the server node is not hers to announce.
            foreach (var node in new[] { Laptop, "nowhere" })
            {
                await AssertProblemAsync(await carol.Client.PostAsJsonAsync(ApiPaths.NodeDeparture(node), announce, ServerHarness.Json), HttpStatusCode.NotFound, null, $"Node '{node}'");
                await AssertProblemAsync(await carol.Client.DeleteAsync(ApiPaths.NodeDeparture(node)), HttpStatusCode.NotFound, null, $"Node '{node}'");
            }

            await AssertProblemAsync(await carol.Client.PostAsJsonAsync(ApiPaths.NodeDeparture("local"), announce, ServerHarness.Json), HttpStatusCode.Forbidden, null, "owner of a client node");
            await AssertProblemAsync(await server.Client.PostAsJsonAsync(ApiPaths.NodeDeparture("local"), announce, ServerHarness.Json), HttpStatusCode.BadRequest, "node", "only a client node departs");

            // Bad input from the owner: named, nothing announced.
            foreach (var seconds in new int?[] { null, 0, -5, NodeDepartureRequest.MaxSeconds + 1 })
            {
                await AssertProblemAsync(
                    await bob.Client.PostAsJsonAsync(ApiPaths.NodeDeparture(Laptop), new NodeDepartureRequest(seconds), ServerHarness.Json), HttpStatusCode.BadRequest, "inSeconds", "1 to 86400");
            }

            Assert.Null((await Users.ReadAsync<NodeInfo>(await bob.Client.GetAsync(ApiPaths.Node(Laptop)), HttpStatusCode.OK)).DepartsAt);

            // Bob may; the admin sees it; carol still learns nothing; bob withdraws it.
            var before = DateTimeOffset.UtcNow;
            var announced = await Users.ReadAsync<NodeDepartureInfo>(
                await bob.Client.PostAsJsonAsync(ApiPaths.NodeDeparture(Laptop), announce, ServerHarness.Json), HttpStatusCode.OK);
            Assert.InRange(announced.DepartsAt, before.AddSeconds(119), DateTimeOffset.UtcNow.AddSeconds(121));
            Assert.Equal(announced.DepartsAt, (await Users.ReadAsync<NodeInfo>(await server.Client.GetAsync(ApiPaths.Node(Laptop)), HttpStatusCode.OK)).DepartsAt);
            Assert.DoesNotContain((await carol.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!, n => n.Name == Laptop);
            Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.DeleteAsync(ApiPaths.NodeDeparture(Laptop))).StatusCode);
            Assert.Null((await Users.ReadAsync<NodeInfo>(await bob.Client.GetAsync(ApiPaths.Node(Laptop)), HttpStatusCode.OK)).DepartsAt);

            // The CLI (as the admin): announce, withdraw; without --in or --cancel, and for a server node, refused.
            var depart = await server.CliAsync("node", "depart", Laptop, "--in", "2m");
            Assert.True(depart.ExitCode == 0, $"{depart.ExitCode}: {depart.Stdout} {depart.Stderr}");
            Assert.Contains($"node {Laptop} leaves at", depart.Stdout, StringComparison.Ordinal);
            Assert.NotNull((await Users.ReadAsync<NodeInfo>(await bob.Client.GetAsync(ApiPaths.Node(Laptop)), HttpStatusCode.OK)).DepartsAt);
            var cancel = await server.CliAsync("node", "depart", Laptop, "--cancel");
            Assert.True(cancel.ExitCode == 0, $"{cancel.ExitCode}: {cancel.Stdout} {cancel.Stderr}");
            Assert.Null((await Users.ReadAsync<NodeInfo>(await bob.Client.GetAsync(ApiPaths.Node(Laptop)), HttpStatusCode.OK)).DepartsAt);
            var neither = await server.CliAsync("node", "depart", Laptop);
            Assert.NotEqual(0, neither.ExitCode);
            Assert.Contains("--in DURATION", neither.Stderr, StringComparison.Ordinal);
            var serverNode = await server.CliAsync("node", "depart", "local", "--in", "1m");
            Assert.NotEqual(0, serverNode.ExitCode);
            Assert.Contains("only a client node departs", serverNode.Stderr, StringComparison.Ordinal);
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

    /// <summary>The status, and the message naming <paramref name="field"/> (or, with null, in the detail).</summary>
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field, string messagePart)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)status}: {body}");
            using var problem = JsonDocument.Parse(body);
            if (field is null)
            {
                Assert.Contains(messagePart, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
                return;
            }

            var messages = default(JsonElement);
            Assert.True(problem.RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out messages), $"no error for {field}: {body}");
            Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(messagePart, StringComparison.Ordinal));
        }
    }
}
