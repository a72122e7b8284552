using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>
/// Every typed call of the client is sent once through the simulator, whose schema judge sees its parameters: so every
/// request path of the backend has been checked parameter by parameter, not only by name. Calls the simulator does not
/// serve (the guest agent: no VM runs under it yet) are judged first and then answered 501.
/// </summary>
public sealed class SchemaCoverageTests
{
    [Fact]
    public async Task EveryClientCall_IsJudgedByTheSchema()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Vms[140] = new ProxmoxSimulator.SimulatedVm(140, "pve1", "web") { Running = true };
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);
        var ct = timeout.Token;
        var wait = TimeSpan.FromSeconds(10);

        await client.GetVersionAsync(ct);
        await client.GetClusterStatusAsync(ct);
        await client.GetResourcesAsync("vm", ct);
        await client.GetNodeNamesAsync(ct);
        await client.GetPrivilegesAsync("/vms", ct);
        await client.GetStorageAsync(ct);
        var id = await client.NextIdAsync(null, ct);
        await client.Sdn.GetZonesAsync(ct);
        await client.Sdn.CreateVnetAsync("room7", "rooms", 7007, null, ct);
        await client.Sdn.GetVnetsAsync(pending: true, ct);
        await client.Sdn.DeleteVnetAsync("room7", ct);
        await client.Tasks.WaitAsync(await client.Sdn.ApplyAsync(ct), wait, ct);
        await client.Qemu.ListAsync("pve1", ct);
        await client.Tasks.WaitAsync(await client.Qemu.CloneAsync("pve1", 9000, id, "lab-1", null, false, ct), wait, ct);
        var config = await client.Qemu.GetConfigAsync("pve1", id, ct);
        await client.Qemu.SetConfigAsync("pve1", id, new Dictionary<string, string> { ["net0"] = "virtio,bridge=room7,firewall=0", ["tags"] = "skillvl" }, config["digest"], ct);
        await client.Tasks.WaitAsync(await client.Qemu.StartAsync("pve1", id, ct), wait, ct);
        await client.Qemu.GetStatusAsync("pve1", id, ct);
        using (await client.Qemu.OpenConsoleAsync("pve1", id, await client.Qemu.VncProxyAsync("pve1", id, ct), ct))
        {
        }

        await client.Qemu.TermProxyAsync("pve1", id, "serial0", ct);
        await client.Tasks.WaitAsync(await client.Qemu.MigrateAsync("pve1", id, "pve2", true, false, ct), wait, ct);
        await client.Tasks.WaitAsync(await client.Qemu.StopAsync("pve2", id, ct), wait, ct);
        await client.Tasks.WaitAsync(await client.Qemu.DeleteAsync("pve2", id, ct), wait, ct);
        var exec = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.AgentExecAsync("pve1", 140, ["ip", "-br", "addr"], null, ct));
        await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.AgentExecStatusAsync("pve1", 140, 12, ct));
        await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.AgentInterfacesAsync("pve1", 140, ct));

        Assert.Equal(501, exec.StatusCode);
        var judged = fixture.Simulator.Requests.ToHashSet();
        Assert.All(PveEndpoints.All, e => Assert.Contains(e.ToString(), judged));
        Assert.False(fixture.Simulator.Vms.ContainsKey(id));

        // Every named format the client's parameters carry is one the judge checks (none was waved through).
        Assert.Empty(ProxmoxSimulator.PveSchema.Instance.UncheckedFormats);
    }
}
