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
/// Issue 16, end to end: a real agent keeping its disks in a private Ceph pool (<c>--disk-store rbd</c>) reports the cluster's
/// fsid and the pool with its facts; a live move of a machine from the Server's node (qcow2 files) there is refused before
/// anything starts (400 naming <c>to</c> and both nodes' storage), and the machine keeps running where it was.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RbdStorageMoveTests
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: pool }
        networks:
          - { name: lan, cidr: 10.67.0.0/24 }
        machines:
          - { name: web, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.67.0.5 }] }
        """;

    [Fact]
    public async Task LiveMove_FromFileNodeToRbdNode_Is400NamingBothStorages_MachineStays()
    {
        await using var ceph = await CephCluster.StartAsync();
        var fsid = (await ceph.CephAsync("fsid")).Trim();
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(Room);
        var join = await Auth.Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        await using var agent = AgentProcess.Start(
            "--server", "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"), "--join-token", join.Token, "--name", "rbd1", "--kind", "server",
            "--data", Path.Combine(server.Root, "rbd1", "data"), "--runtime", Path.Combine(server.Root, "rbd1", "run"), "--accelerator", "tcg",
            "--disk-store", "rbd", "--rbd-pool", CephCluster.Pool, "--ceph-conf", ceph.ConfPath, "--ceph-user", CephCluster.User,
            "--ceph-keyring", ceph.UserKeyring);
        await Bounded.WaitUntilAsync(
            async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == "rbd1" && n.State == "ready"),
            TimeSpan.FromSeconds(60),
            "node rbd1 to be ready");

        using var response = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new { machine = "pool/web", to = "rbd1" }, ServerHarness.Json);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}; agent log:\n{agent.Log}");
        using var problem = JsonDocument.Parse(text);
        var message = problem.RootElement.GetProperty("errors").GetProperty("to")[0].GetString()!;
        Assert.Contains(
            $"the machine's disk is in its own files (qcow2) on 'local' and 'rbd1' keeps disks in rbd pool '{CephCluster.Pool}' of Ceph cluster {fsid}",
            message, StringComparison.Ordinal);
        Assert.Empty((await server.Client.GetFromJsonAsync<List<MigrationInfo>>(ApiPaths.Migrations, ServerHarness.Json))!);
        Assert.Equal(("local", "running"), ((await server.GetMachineAsync("pool", "web")).Node, (await server.GetMachineAsync("pool", "web")).State));
        Assert.All(await ceph.ImagesAsync(), image => Assert.StartsWith("tpl-", image, StringComparison.Ordinal));
    }
}
