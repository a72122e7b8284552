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
/// Issue 12, Deliver 6, end to end: a real agent whose VMs get another CPU model than the embedded node's reports it, and
/// a live move of a running machine there is refused before anything starts (400 naming <c>to</c>, the reason in
/// words); the machine keeps running where it was.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class MigrationCompatibilityTests
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: abi }
        networks:
          - { name: lan, cidr: 10.62.0.0/24 }
        machines:
          - { name: web, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.62.0.5 }] }
        """;

    [Fact]
    public async Task LiveMove_ToANodeWithAnotherCpuModel_Is400NamingTo_MachineStays()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(Room);
        var join = await Auth.Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        await using var agent = AgentProcess.Start(
            "--server", "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"), "--join-token", join.Token, "--name", "abi1", "--kind", "server",
            "--data", Path.Combine(server.Root, "abi1", "data"), "--runtime", Path.Combine(server.Root, "abi1", "run"), "--accelerator", "tcg",
            "--cpu-model", "qemu64-v1");
        await Bounded.WaitUntilAsync(
            async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == "abi1" && n.State == "ready"),
            TimeSpan.FromSeconds(60),
            "node abi1 to be ready");

        using var response = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new { machine = "abi/web", to = "abi1" }, ServerHarness.Json);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}; agent log:\n{agent.Log}");
        using var problem = JsonDocument.Parse(text);
        var message = problem.RootElement.GetProperty("errors").GetProperty("to")[0].GetString()!;
        Assert.Contains("CPU model on 'local' is max and 'abi1' gives guests qemu64-v1", message, StringComparison.Ordinal);
        Assert.Empty((await server.Client.GetFromJsonAsync<List<MigrationInfo>>(ApiPaths.Migrations, ServerHarness.Json))!);
        Assert.Equal(("local", "running"), ((await server.GetMachineAsync("abi", "web")).Node, (await server.GetMachineAsync("abi", "web")).State));
    }
}
