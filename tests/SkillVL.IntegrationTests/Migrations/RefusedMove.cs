using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.IntegrationTests.Nodes;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Migrations;

/// <summary>
/// A live move the Server must refuse before anything starts, end to end: a real agent enrols with options of its own
/// (another CPU model, another disk store), a move of <c>ROOM/web</c> from the Server's node there is 400 naming <c>to</c>,
/// no migration is recorded, and the machine keeps running on <c>local</c>.
/// </summary>
internal static class RefusedMove
{
    /// <summary>The room every refused-move test applies first: one tiny machine <c>web</c>.</summary>
    public static string Room(string name, string cidrPrefix) => $$"""
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: {{name}} }
        networks:
          - { name: lan, cidr: {{cidrPrefix}}.0/24 }
        machines:
          - { name: web, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: {{cidrPrefix}}.5 }] }
        """;

    /// <summary>Enrols node <paramref name="node"/> with <paramref name="agentOptions"/>, moves <c>room/web</c> there and
    /// returns the refusal's message for <c>to</c>, after checking that nothing moved.</summary>
    public static async Task<string> RefusalAsync(ServerHarness server, string room, string node, params string[] agentOptions)
    {
        var join = await Auth.Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        await using var agent = AgentProcess.Start(
            [
                "--server", "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"), "--join-token", join.Token, "--name", node, "--kind", "server",
                "--data", Path.Combine(server.Root, node, "data"), "--runtime", Path.Combine(server.Root, node, "run"), "--accelerator", "tcg",
                .. agentOptions,
            ]);
        await Bounded.WaitUntilAsync(
            async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == node && n.State == "ready"),
            TimeSpan.FromSeconds(60),
            $"node {node} to be ready");

        using var response = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new { machine = room + "/web", to = node }, ServerHarness.Json);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}; agent log:\n{agent.Log}");
        using var problem = JsonDocument.Parse(text);
        var message = problem.RootElement.GetProperty("errors").GetProperty("to")[0].GetString()!;
        Assert.Empty((await server.Client.GetFromJsonAsync<List<MigrationInfo>>(ApiPaths.Migrations, ServerHarness.Json))!);
        var machine = await server.GetMachineAsync(room, "web");
        Assert.Equal(("local", "running"), (machine.Node, machine.State));
        return message;
    }
}
