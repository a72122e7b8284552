using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.IntegrationTests.Auth;
using SkillVL.IntegrationTests.Nodes;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11, finding 9: who sees what of the nodes, and who may put a machine where — student, teacher and admin ×
/// list, get, pin (machines[].node) and migrate × the server node "local" and a client node enrolled by a real
/// agent process (`skillvl-agent --kind client`) over the join flow.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class NodeAccessTests(ITestOutputHelper output)
{
    private const string Client = "laptop1";

    [Fact]
    public async Task Issue11_NodeVisibilityAndTargeting_StudentTeacherAdmin_ServerAndClientNode()
    {
        // Migration TLS names the nodes' addresses; both nodes here are 127.0.0.1 (the testbed tests run TLS between namespaces).
        await using var server = await ServerHarness.StartAsync(o => o.Migration.Tls = false);
        var socket = Path.Combine(server.RuntimeDirectory, "agent.sock");
        var agentData = Path.Combine(server.Root, Client, "data");
        var agentRun = Path.Combine(server.Root, Client, "run");
        var join = await Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        var agent = AgentProcess.Start(
            "--server", "unix:" + socket, "--join-token", join.Token, "--name", Client, "--kind", "client",
            "--data", agentData, "--runtime", agentRun, "--accelerator", "tcg");
        try
        {
            await Bounded.WaitUntilAsync(
                async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == Client && n.State == "ready"),
                TimeSpan.FromSeconds(60),
                $"node {Client} to be ready");
            using var student = await Users.AddAndLoginAsync(server, "sara", PlatformRoles.Student);
            using var teacher = await Users.AddAndLoginAsync(server, "theo", PlatformRoles.Teacher);

            // Pin to the client node: 403 naming the field for a student and a teacher, nothing created.
            foreach (var (who, client) in new[] { ("student", student.Client), ("teacher", teacher.Client) })
            {
                using var refused = await client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml($"{who}-client", (who, Client))));
                await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "machines[0].node", "client node");
            }

            // Pin to a drained server node: 400 for them (an admin's pin is checked by the placement alone).
            Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PostAsync(ApiPaths.Nodes + "/local/drain", null)).StatusCode);
            using (var drained = await student.Client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml("drained", ("box", "local")))))
            {
                await AssertProblemAsync(drained, HttpStatusCode.BadRequest, "machines[0].node", "drained");
            }

            Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PostAsync(ApiPaths.Nodes + "/local/undrain", null)).StatusCode);

            // Pin to the ready server node: everyone. The admin's room also pins a machine to the client node.
            var studentRoom = await Users.ReadAsync<TaskInfo>(await student.Client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml("s", ("box", "local")))), HttpStatusCode.Accepted);
            var teacherRoom = await Users.ReadAsync<TaskInfo>(await teacher.Client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml("t", ("box", "local")))), HttpStatusCode.Accepted);
            var adminRoom = await Users.ReadAsync<TaskInfo>(await server.Client.PostAsync(ApiPaths.Rooms, Yaml(RoomYaml("a", ("on-server", "local"), ("on-client", Client)))), HttpStatusCode.Accepted);
            foreach (var task in new[] { studentRoom, teacherRoom, adminRoom })
            {
                var done = await server.WaitTaskAsync(task.Id, TimeSpan.FromMinutes(4));
                Assert.True(done.State == TaskStates.Succeeded, ServerHarness.Describe(done));
            }

            Assert.Equal(Client, (await server.GetMachineAsync("a", "on-client")).Node);

            // List and get: the admin sees everyone's allocation and the underlay; the others only their own machines.
            var admins = await ListAsync(server.Client);
            Assert.All(admins, n => Assert.Equal(NodeInfo.AllocationAll, n.Allocation));
            var adminLocal = admins.Single(n => n.Name == "local");
            Assert.Equal(3, adminLocal.MachinesRunning);
            Assert.Equal(1, admins.Single(n => n.Name == Client).MachinesRunning);
            foreach (var (who, client) in new[] { ("student", student.Client), ("teacher", teacher.Client) })
            {
                var seen = await ListAsync(client);
                Assert.Equal([Client, "local"], seen.Select(n => n.Name).Order(StringComparer.Ordinal).ToArray());
                Assert.All(seen, n => Assert.Equal(NodeInfo.AllocationYours, n.Allocation));
                Assert.All(seen, n => Assert.Null(n.UnderlayAddress));
                var local = seen.Single(n => n.Name == "local");
                // Three machines of one size on it: theirs is a third of what the admin sees.
                Assert.True((local.MachinesRunning, local.MemoryBytesAllocated) == (1, adminLocal.MemoryBytesAllocated / 3), $"{who} sees {local}");
                Assert.Equal(adminLocal.MemoryBytes, local.MemoryBytes);
                var laptop = seen.Single(n => n.Name == Client);
                Assert.True((laptop.Kind, laptop.State, laptop.MachinesRunning, laptop.MemoryBytesAllocated) == ("client", "ready", 0, 0L), $"{who} sees {laptop}");

                var got = await Users.ReadAsync<NodeInfo>(await client.GetAsync(ApiPaths.Nodes + "/" + Client), HttpStatusCode.OK);
                Assert.Equal(laptop with { Labels = null }, got with { Labels = null });
                Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(ApiPaths.Nodes + "/nowhere")).StatusCode);
            }

            var adminGot = await Users.ReadAsync<NodeInfo>(await server.Client.GetAsync(ApiPaths.Nodes + "/local"), HttpStatusCode.OK);
            Assert.Equal((3, NodeInfo.AllocationAll), (adminGot.MachinesRunning, adminGot.Allocation));

            // Migrate to the client node: 403 naming "to" for a student and a teacher (before the machine's state is
            // looked at); to the server node they may (refused here only because the machine is already there).
            foreach (var (client, room) in new[] { (student.Client, "s"), (teacher.Client, "t") })
            {
                using var forbidden = await client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest($"{room}/box", Client), ServerHarness.Json);
                await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "to", "client node");
                using var toServer = await client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest($"{room}/box", "local"), ServerHarness.Json);
                await AssertProblemAsync(toServer, HttpStatusCode.BadRequest, "to", "already runs on node 'local'");
            }

            // The admin moves a machine to the client node (offline: stopped, its disk goes) and it arrives there.
            var stop = await Users.ReadAsync<TaskInfo>(await server.Client.PostAsync(ApiPaths.Machine("a", "on-server") + "/stop", null), HttpStatusCode.Accepted);
            Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(stop.Id, TimeSpan.FromMinutes(2))).State);
            using (var sameNode = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest("a/on-server", "local", Mode: "offline"), ServerHarness.Json))
            {
                await AssertProblemAsync(sameNode, HttpStatusCode.BadRequest, "to", "already runs on node 'local'");
            }

            var moved = await Users.ReadAsync<MigrationInfo>(
                await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest("a/on-server", Client, Mode: "offline"), ServerHarness.Json), HttpStatusCode.Accepted);
            MigrationInfo? final = null;
            await Bounded.WaitUntilAsync(
                async () => MigrationStates.IsFinal((final = (await server.Client.GetFromJsonAsync<MigrationInfo>(ApiPaths.Migration(moved.Id), ServerHarness.Json))!).State),
                TimeSpan.FromMinutes(3),
                "the admin's offline migration to the client node");
            Assert.True(final!.State == MigrationStates.Succeeded, JsonSerializer.Serialize(final, ServerHarness.Json));
            Assert.Equal(Client, (await server.GetMachineAsync("a", "on-server")).Node);

            // Machines on the client node go before its agent does.
            await server.DeleteRoomAsync("a");
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

    /// <summary>
    /// Machines without networks: both nodes run on this one host, where a network's bridge can belong to only one
    /// of them (the multi-node network tests run nodes in their own namespaces).
    /// </summary>
    private static string RoomYaml(string name, params (string Machine, string Node)[] machines) =>
        $"apiVersion: skillvl.io/v1\nkind: Room\nmetadata: {{ name: {name} }}\nmachines:\n"
        + string.Concat(machines.Select(m => $"  - {{ name: {m.Machine}, template: tiny, node: {m.Node} }}\n"));

    private static async Task<List<NodeInfo>> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field, string messagePart)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)status}: {body}");
        using var problem = JsonDocument.Parse(body);
        var messages = default(JsonElement);
        Assert.True(problem.RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out messages), $"no error for {field}: {body}");
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(messagePart, StringComparison.Ordinal));
    }

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");
}
