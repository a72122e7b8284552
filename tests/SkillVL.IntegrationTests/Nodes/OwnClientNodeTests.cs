using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 12, deliver 1: a student enrols their own computer with a client join token and a real `skillvl-agent`; the
/// node is theirs — another student neither sees, targets nor removes it, an admin's own room does not go there, a
/// course instance only where its teacher allows — and the owner's machine runs there (a real tiny VM).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class OwnClientNodeTests(ITestOutputHelper output)
{
    private const string Laptop = "laptop-bob";

    [Fact]
    public async Task Issue12_StudentEnrolsOwnComputer_OnlyTheirMachinesGoThere_OthersNeitherSeeNorRemoveIt()
    {
        await using var server = await ServerHarness.StartAsync(o =>
        {
            o.Migration.Tls = false; // both nodes are 127.0.0.1 here; the testbed tests run TLS between namespaces
            o.Limits.ClientNodesPerUser = 1;
            o.Limits.JoinTokensPerUser = 2;
        });
        var socket = Path.Combine(server.RuntimeDirectory, "agent.sock");
        var agentData = Path.Combine(server.Root, Laptop, "data");
        var agentRun = Path.Combine(server.Root, Laptop, "run");
        using var bob = await Users.AddAndLoginAsync(server, "bob", PlatformRoles.Student);
        using var carol = await Users.AddAndLoginAsync(server, "carol", PlatformRoles.Student);
        using var teacher = await Users.AddAndLoginAsync(server, "theo", PlatformRoles.Teacher);

        // Tokens: a client token for oneself; server kinds and other users' computers are an admin's (403 naming the field).
        await AssertProblemAsync(await bob.Client.PostAsJsonAsync(JoinTokens, new CreateJoinTokenRequest(10, "server"), ServerHarness.Json), HttpStatusCode.Forbidden, "kind", "only an admin");
        await AssertProblemAsync(await bob.Client.PostAsJsonAsync(JoinTokens, new CreateJoinTokenRequest(10, "client", "carol"), ServerHarness.Json), HttpStatusCode.Forbidden, "owner", "only an admin");
        await AssertProblemAsync(await server.Client.PostAsJsonAsync(JoinTokens, new CreateJoinTokenRequest(10, "client", "nobody"), ServerHarness.Json), HttpStatusCode.BadRequest, "owner", "no user 'nobody'");
        var join = await Users.ReadAsync<JoinTokenInfo>(await bob.Client.PostAsJsonAsync(JoinTokens, new CreateJoinTokenRequest(10, "client"), ServerHarness.Json), HttpStatusCode.OK);
        Assert.Equal(("client", "bob"), (join.Kind, join.Owner));

        // Outstanding tokens per user (2 here): the third answers 409 and nothing is made.
        await Users.ReadAsync<JoinTokenInfo>(await carol.Client.PostAsJsonAsync(JoinTokens, new CreateJoinTokenRequest(10, "client"), ServerHarness.Json), HttpStatusCode.OK);
        await Users.ReadAsync<JoinTokenInfo>(await carol.Client.PostAsJsonAsync(JoinTokens, new CreateJoinTokenRequest(10, "client"), ServerHarness.Json), HttpStatusCode.OK);
        using (var third = await carol.Client.PostAsJsonAsync(JoinTokens, new CreateJoinTokenRequest(10, "client"), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
            Assert.Contains("unused join tokens", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // An agent that claims another kind than its token's is refused with the reason, and the token stays usable.
        var wrongKind = AgentProcess.Start(
            "--server", "unix:" + socket, "--join-token", join.Token, "--name", Laptop, "--kind", "server",
            "--data", Path.Combine(server.Root, "wrong-kind"), "--runtime", Path.Combine(server.Root, "wrong-kind-run"), "--accelerator", "tcg");
        await using (wrongKind)
        {
            Assert.Equal(1, await wrongKind.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("start the agent with --kind client", wrongKind.Log, StringComparison.Ordinal);
        }

        var agent = AgentProcess.Start(
            "--server", "unix:" + socket, "--join-token", join.Token, "--name", Laptop, "--kind", "client",
            "--data", agentData, "--runtime", agentRun, "--accelerator", "tcg");
        try
        {
            await Bounded.WaitUntilAsync(
                async () => (await ListAsync(bob.Client)).Any(n => n.Name == Laptop && n.State == "ready"), TimeSpan.FromSeconds(90), $"node {Laptop} to be ready");

            // Visibility: bob sees his own node in full, carol not at all (404), the admin with its owner.
            var bobs = (await ListAsync(bob.Client)).Single(n => n.Name == Laptop);
            Assert.Equal(("client", "bob", NodeInfo.AllocationAll), (bobs.Kind, bobs.Owner, bobs.Allocation));
            Assert.Equal(["local"], (await ListAsync(carol.Client)).Select(n => n.Name).ToArray());
            Assert.Equal(HttpStatusCode.NotFound, (await carol.Client.GetAsync(ApiPaths.Nodes + "/" + Laptop)).StatusCode);
            Assert.Equal("bob", (await ListAsync(server.Client)).Single(n => n.Name == Laptop).Owner);

            // Per-user limit (1 here): a token for a second computer answers 409 naming the node to remove.
            using (var second = await bob.Client.PostAsJsonAsync(JoinTokens, new CreateJoinTokenRequest(10, "client"), ServerHarness.Json))
            {
                Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
                Assert.Contains($"skillvl node remove {Laptop}", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // Pins: carol's room and the admin's own room are refused (403 naming the field), nothing is created.
            await AssertProblemAsync(await carol.Client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml("c-laptop", Laptop))), HttpStatusCode.Forbidden, "machines[0].node", "another user's client node");
            await AssertProblemAsync(await server.Client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml("a-laptop", Laptop))), HttpStatusCode.Forbidden, "machines[0].node", "belongs to bob");
            Assert.Equal(HttpStatusCode.NotFound, (await carol.Client.GetAsync(ApiPaths.Room("c-laptop"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(ApiPaths.Room("a-laptop"))).StatusCode);

            // Bob's own room pinned to his computer: it runs there.
            var bobRoom = await Users.ReadAsync<TaskInfo>(await bob.Client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml("b", Laptop))), HttpStatusCode.Accepted);
            var carolRoom = await Users.ReadAsync<TaskInfo>(await carol.Client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml("c", "local"))), HttpStatusCode.Accepted);
            foreach (var task in new[] { bobRoom, carolRoom })
            {
                var done = await server.WaitTaskAsync(task.Id, TimeSpan.FromMinutes(4));
                Assert.True(done.State == TaskStates.Succeeded, ServerHarness.Describe(done));
            }

            var onLaptop = await Users.ReadAsync<MachineStatus>(await bob.Client.GetAsync(ApiPaths.Machine("b", "box")), HttpStatusCode.OK);
            Assert.Equal((Laptop, "running"), (onLaptop.Node, onLaptop.State));
            Assert.Equal(1, (await ListAsync(bob.Client)).Single(n => n.Name == Laptop).MachinesRunning);

            // Migrations onto bob's computer: carol's machine neither by carol nor by an admin (403 naming "to").
            await AssertProblemAsync(
                await carol.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest("c/box", Laptop), ServerHarness.Json), HttpStatusCode.Forbidden, "to", "another user's client node");
            // Check-outs (ADR 0023) obey the same rule: carol's machine not onto bob's computer, and never onto a server node.
            await AssertProblemAsync(
                await carol.Client.PostAsJsonAsync(ApiPaths.Machine("c", "box") + "/checkout", new Core.Api.Checkouts.CheckoutRequest(Laptop), ServerHarness.Json),
                HttpStatusCode.Forbidden, "to", "another user's client node");
            await AssertProblemAsync(
                await carol.Client.PostAsJsonAsync(ApiPaths.Machine("c", "box") + "/checkout", new Core.Api.Checkouts.CheckoutRequest("local"), ServerHarness.Json),
                HttpStatusCode.BadRequest, "to", "a check-out goes to a client node");
            var carolsBox = await Users.ReadAsync<MachineStatus>(await carol.Client.GetAsync(ApiPaths.Machine("c", "box")), HttpStatusCode.OK);
            Assert.Equal(("local", (Core.Api.Checkouts.CheckoutInfo?)null), (carolsBox.Node, carolsBox.Checkout));
            await AssertProblemAsync(
                await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest(carolsBox.Id, Laptop), ServerHarness.Json), HttpStatusCode.Forbidden, "to", "belongs to bob");

            // A course instance of bob's: only once the teacher allows client nodes.
            await Users.ReadAsync<CourseInfo>(await teacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("net101"), ServerHarness.Json), HttpStatusCode.Created);
            await Users.ReadAsync<List<StudentInfo>>(await teacher.Client.PostAsJsonAsync(ApiPaths.Course("net101") + "/students", new Core.Api.Courses.EnrolRequest(["bob"]), ServerHarness.Json), HttpStatusCode.OK);
            await Users.ReadAsync<CourseVersionInfo>(await teacher.Client.PostAsync(ApiPaths.Course("net101") + "/versions", Yaml(RoomYaml("lab", null))), HttpStatusCode.Created);
            var instanceBox = await Users.ReadAsync<MachineStatus>(await bob.Client.GetAsync(ApiPaths.Machine("lab", "box")), HttpStatusCode.OK);
            Assert.Equal("local", instanceBox.Node); // the default placement never picks a client node
            await AssertProblemAsync(
                await bob.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest("lab/box", Laptop, Mode: "offline"), ServerHarness.Json), HttpStatusCode.Forbidden, "to", "does not allow client nodes");
            var allowed = await Users.ReadAsync<CourseInfo>(
                await teacher.Client.PatchAsJsonAsync(ApiPaths.Course("net101"), new UpdateCourseRequest(AllowClientNodes: true), ServerHarness.Json), HttpStatusCode.OK);
            Assert.True(allowed.AllowClientNodes);
            // Allowed now: the request gets past the ownership check to the machine's state (running, so not offline).
            await AssertProblemAsync(
                await bob.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest("lab/box", Laptop, Mode: "offline"), ServerHarness.Json), HttpStatusCode.BadRequest, "mode", "is running");

            // Removal: carol learns nothing (404); bob's node with a machine on it is kept (409); emptied, it goes.
            Assert.Equal(HttpStatusCode.NotFound, (await carol.Client.DeleteAsync(ApiPaths.Nodes + "/" + Laptop)).StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, (await bob.Client.DeleteAsync(ApiPaths.Nodes + "/" + Laptop)).StatusCode);
            var deleted = await Users.ReadAsync<TaskInfo>(await bob.Client.DeleteAsync(ApiPaths.Room("b")), HttpStatusCode.Accepted);
            Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(deleted.Id, TimeSpan.FromMinutes(2))).State);
            Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.DeleteAsync(ApiPaths.Nodes + "/" + Laptop)).StatusCode);
            Assert.DoesNotContain(await ListAsync(server.Client), n => n.Name == Laptop);
            Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync(ApiPaths.Course("net101"))).StatusCode);
            var carolDeleted = await Users.ReadAsync<TaskInfo>(await carol.Client.DeleteAsync(ApiPaths.Room("c")), HttpStatusCode.Accepted);
            Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(carolDeleted.Id, TimeSpan.FromMinutes(2))).State);
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

    private const string JoinTokens = ApiPaths.Nodes + "/join-tokens";

    /// <summary>One machine, no networks: both nodes run on this one host (see NodeAccessTests).</summary>
    private static string RoomYaml(string name, string? node) =>
        $"apiVersion: skillvl.io/v1\nkind: Room\nmetadata: {{ name: {name} }}\nmachines:\n  - {{ name: box, template: tiny{(node is null ? "" : ", node: " + node)} }}\n";

    private static async Task<List<NodeInfo>> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field, string messagePart)
    {
        using var _ = response;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)status}: {body}");
        using var problem = JsonDocument.Parse(body);
        var messages = default(JsonElement);
        Assert.True(problem.RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out messages), $"no error for {field}: {body}");
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(messagePart, StringComparison.Ordinal));
    }

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");
}
