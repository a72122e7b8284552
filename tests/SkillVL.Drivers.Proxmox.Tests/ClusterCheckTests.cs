using SkillVL.Drivers.Proxmox.Checks;

namespace SkillVL.Drivers.Proxmox.Tests;

public sealed class ClusterCheckTests
{
    [Fact]
    public async Task FullToken_ReadyCluster_Passes()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var report = await new ClusterCheck(client).RunAsync(new ClusterCheckOptions("rooms", "ceph", ["tiny"]), timeout.Token);

        Assert.True(report.Passed, string.Join('\n', report.Items));
        Assert.All(fixture.Sent, r => Assert.Equal("GET", r.Method)); // read-only
    }

    [Fact]
    public async Task TokenWithoutEnoughPrivileges_ReportsWhatIsMissingPerPath()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Tokens.Add(new ProxmoxSimulator.SimulatedToken("skillvl@pve!weak", "weak-secret")
            .Grant("/", "Sys.Audit", "Datastore.Audit", "SDN.Audit")
            .Grant("/vms", "VM.Audit", "VM.PowerMgmt"));
        using var client = fixture.Client(fixture.Cluster("skillvl@pve!weak", "weak-secret"));
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var report = await new ClusterCheck(client).RunAsync(new ClusterCheckOptions(), timeout.Token);

        Assert.False(report.Passed);
        var vms = Assert.Single(report.Items, i => i.Area == "privileges /vms");
        Assert.Equal(CheckState.Missing, vms.State);
        Assert.Contains("VM.Clone", vms.Detail, StringComparison.Ordinal);
        Assert.Contains("VM.GuestAgent.Unrestricted", vms.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("VM.Audit", vms.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckState.Missing, Assert.Single(report.Items, i => i.Area == "privileges /sdn").State);
        Assert.Equal("missing Datastore.AllocateSpace", Assert.Single(report.Items, i => i.Area == "privileges /storage").Detail);
    }

    [Fact]
    public async Task NoVxlanZone_MissingTemplate_OfflineNode_AreReported()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Zones.Remove("rooms");
        fixture.Simulator.Nodes["pve2"] = false;
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var report = await new ClusterCheck(client).RunAsync(new ClusterCheckOptions(Templates: ["debian13"]), timeout.Token);

        Assert.False(report.Passed);
        Assert.Equal(CheckState.Missing, Assert.Single(report.Items, i => i.Area == "sdn").State);
        Assert.Equal(CheckState.Missing, Assert.Single(report.Items, i => i.Area == "template debian13").State);
        var nodes = Assert.Single(report.Items, i => i.Area == "nodes");
        Assert.Equal(CheckState.Warning, nodes.State);
        Assert.Contains("offline: pve2", nodes.Detail, StringComparison.Ordinal);
    }
}
