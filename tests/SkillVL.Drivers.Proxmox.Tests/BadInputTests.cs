using SkillVL.Drivers.Proxmox.Api;
using SkillVL.Drivers.Proxmox.Checks;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>Issue 15's bad input, as far as this slice reaches: each a clear error naming the cluster and PVE's words.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task NodeOffline_StartIsTransient595_VmUntouched()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Vms[180] = new ProxmoxSimulator.SimulatedVm(180, "pve2", "web");
        fixture.Simulator.Nodes["pve2"] = false;
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.StartAsync("pve2", 180, timeout.Token));

        Assert.Equal(595, e.StatusCode);
        Assert.True(e.IsTransient);
        Assert.StartsWith("Proxmox cluster 'lab': POST /nodes/pve2/qemu/180/status/start answered 595", e.Message, StringComparison.Ordinal);
        Assert.False(fixture.Simulator.Vms[180].Running);
        Assert.Empty(fixture.Simulator.Tasks);
    }

    [Fact]
    public async Task TemplateMissing_CloneIsAPermanentErrorQuotingPve_NothingCreated()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.CloneAsync("pve1", 9999, 190, "web", null, null, timeout.Token));

        Assert.False(e.IsTransient);
        Assert.Contains("Configuration file 'nodes/pve1/qemu-server/9999.conf' does not exist", e.Message, StringComparison.Ordinal);
        Assert.False(fixture.Simulator.Vms.ContainsKey(190));
    }

    [Fact]
    public async Task TokenWithoutSysAudit_NodesAreNotCheckedAndSaySo()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Tokens.Add(new ProxmoxSimulator.SimulatedToken("skillvl@pve!nosys", "s").Grant("/vms", "VM.Audit"));
        using var client = fixture.Client(fixture.Cluster("skillvl@pve!nosys", "s"));
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var report = await new ClusterCheck(client).RunAsync(new ClusterCheckOptions(), timeout.Token);

        Assert.Equal("missing Sys.Audit", Assert.Single(report.Items, i => i.Area == "privileges /").Detail);
        Assert.Equal(CheckState.Warning, Assert.Single(report.Items, i => i.Area == "nodes").State);
        Assert.Equal(CheckState.Missing, Assert.Single(report.Items, i => i.Area == "sdn").State); // no zone visible without SDN.Audit
    }
}
