using SkillVL.Drivers.Proxmox.Api;
using SkillVL.Drivers.Proxmox.Tasks;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>The client parses answers captured from real PVE clusters (fixtures with provenance in FIXTURES.md).</summary>
public sealed class CapturedAnswerTests
{
    private static ProxmoxClient Replay(JsonFixtureHandler handler) =>
        new(new ProxmoxHttp(
            new ProxmoxCluster("lab", new Uri("https://pve.invalid:8006"), ApiToken.Create("skillvl@pve!lab", "s"), CertificatePin.Parse(new string('0', 64))),
            handler: handler));

    [Fact]
    public async Task ClusterResources_FourNodeCapture_FindsTheTemplate()
    {
        using var client = Replay(new JsonFixtureHandler(("/cluster/resources", "gp-cluster-resources.json")));

        var templates = await client.GetTemplatesAsync(CancellationToken.None);

        var template = Assert.Single(templates);
        Assert.Equal(("leap154", 101L, "node1"), (template.Name, template.VmId!.Value, template.Node));
    }

    [Fact]
    public async Task ClusterStatus_FourNodeCapture_ReadsQuorumAndNodes()
    {
        using var client = Replay(new JsonFixtureHandler(("/cluster/status", "gp-cluster-status.json")));

        var status = await client.GetClusterStatusAsync(CancellationToken.None);

        Assert.Equal("clustername", status.Name);
        Assert.True(status.Quorate);
        Assert.Equal(["node1", "node2", "node3", "node4"], status.Members.Select(m => m.Name));
        Assert.All(status.Members, m => Assert.True(m.Online));
    }

    [Fact]
    public async Task TaskFollower_CapturedQmstartWithWarnings_IsSuccess()
    {
        var handler = new JsonFixtureHandler(("/status", "real-task-status-qmstart-warnings.json"), ("/log", """{"data":[{"n":1,"t":"TASK WARNINGS: 1"}]}"""));
        using var client = Replay(handler);
        var upid = Upid.Parse("UPID:dahu-2:00007323:001036A5:6419CAF8:qmstart:100:root@pam:");

        var outcome = await client.Tasks.WaitAsync(upid, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.True(outcome.HasWarnings);
        Assert.Equal(["TASK WARNINGS: 1"], outcome.Log);
        // Asked on the node in the UPID, with the UPID as one escaped path segment.
        Assert.Equal("/api2/json/nodes/dahu-2/tasks/UPID%3Adahu-2%3A00007323%3A001036A5%3A6419CAF8%3Aqmstart%3A100%3Aroot%40pam%3A/status", handler.Paths[0]);
    }

    [Fact]
    public async Task TaskFollower_CapturedInterruptedTask_IsAFailureCarryingPvesStatus()
    {
        using var client = Replay(new JsonFixtureHandler(("/status", "proxmoxer-task-status.json#stopped_error"), ("/log", """{"data":[{"n":1,"t":"TASK ERROR: interrupted by signal"}]}""")));

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.Tasks.WaitAsync(
            Upid.Parse("UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:110:root@pam:"), TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Equal("Proxmox cluster 'lab': task vzdump 110 on node1 failed: interrupted by signal", e.Message);
        Assert.False(e.IsTransient);
    }
}
