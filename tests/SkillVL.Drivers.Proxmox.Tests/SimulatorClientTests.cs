using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>The client against the PVE API simulator (HTTPS on loopback, pinned, token auth, tasks with UPIDs).</summary>
public sealed class SimulatorClientTests
{
    private static readonly TimeSpan TaskBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Clone_WhileRunning_NewVmIsLocked_StartAfterTheTaskSucceeds()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        // The clone runs long enough that the two calls below surely meet its lock, even on a loaded machine.
        fixture.Simulator.TaskDuration = TimeSpan.FromSeconds(2);
        var vmid = await client.NextIdAsync(null, timeout.Token);
        var clone = await client.Qemu.CloneAsync("pve1", 9000, vmid, "web-1", null, full: false, timeout.Token);
        var locked = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.StartAsync("pve1", vmid, timeout.Token));
        var configLock = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.SetConfigAsync("pve1", vmid, new Dictionary<string, string> { ["tags"] = "skillvl" }, null, timeout.Token));
        fixture.Simulator.TaskDuration = TimeSpan.FromMilliseconds(300);
        var cloned = await client.Tasks.WaitAsync(clone, TaskBound, timeout.Token);
        await client.Qemu.SetConfigAsync("pve1", vmid, new Dictionary<string, string> { ["tags"] = "skillvl" }, null, timeout.Token);
        var started = await client.Tasks.WaitAsync(await client.Qemu.StartAsync("pve1", vmid, timeout.Token), TaskBound, timeout.Token);
        var status = await client.Qemu.GetStatusAsync("pve1", vmid, timeout.Token);

        Assert.Equal(100, vmid);
        Assert.Equal("qmclone", clone.Type);
        Assert.Equal("9000", clone.Id); // the SOURCE vmid, as PVE names clone tasks
        Assert.Equal("skillvl@pve!lab", clone.User);
        Assert.True(locked.IsTransient);
        Assert.Contains($"VM {vmid} is locked (clone)", locked.Message, StringComparison.Ordinal);
        Assert.True(configLock.IsTransient);
        Assert.Contains("got timeout", configLock.Message, StringComparison.Ordinal);
        Assert.Equal("TASK OK", cloned.Log[^1]);
        Assert.True(started.Succeeded);
        Assert.Equal("running", status.Status);
        Assert.Null(status.Lock);
        Assert.Equal("skillvl", (await client.Qemu.GetConfigAsync("pve1", vmid, timeout.Token))["tags"]);
    }

    [Fact]
    public async Task WrongSecret_Is401NamingTheClusterAndTheToken()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        using var client = fixture.Client(fixture.Cluster(secret: "not-the-secret"));
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.GetVersionAsync(timeout.Token));

        Assert.Equal(401, e.StatusCode);
        Assert.StartsWith("Proxmox cluster 'lab': GET /version answered 401: authentication failure: the API token was refused", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongFingerprint_IsRefusedBeforeAnyRequest_NamingBothFingerprints()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        var wrong = string.Join(':', Enumerable.Repeat("AB", 32));
        using var client = fixture.Client(fixture.Cluster(fingerprint: wrong));
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.GetVersionAsync(timeout.Token));

        Assert.False(e.IsTransient);
        Assert.Null(e.StatusCode);
        Assert.Contains("Proxmox cluster 'lab'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"pinned {wrong}, presented {fixture.Simulator.Fingerprint}", e.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Simulator.Requests);
    }

    [Fact]
    public async Task LimitedToken_Clone_Is403WithPvesWords_AndNothingIsCreated()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Tokens.Add(new ProxmoxSimulator.SimulatedToken("viewer@pve!ro", "ro-secret").Grant("/vms", "VM.Audit"));
        using var client = fixture.Client(fixture.Cluster("viewer@pve!ro", "ro-secret"));
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.CloneAsync("pve1", 9000, 150, "x", null, null, timeout.Token));

        Assert.Equal(403, e.StatusCode);
        Assert.Contains("Permission check failed (/vms/9000, VM.Clone)", e.Message, StringComparison.Ordinal);
        Assert.False(fixture.Simulator.Vms.ContainsKey(150));
    }

    [Fact]
    public async Task SdnVnet_IsPendingUntilApplied()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        await client.Sdn.CreateVnetAsync("room1", "rooms", 4242, "room one", timeout.Token);
        var applied = await client.Sdn.GetVnetsAsync(pending: false, timeout.Token);
        var pending = await client.Sdn.GetVnetsAsync(pending: true, timeout.Token);
        var reload = await client.Tasks.WaitAsync(await client.Sdn.ApplyAsync(timeout.Token), TaskBound, timeout.Token);
        var after = await client.Sdn.GetVnetsAsync(pending: false, timeout.Token);

        Assert.Empty(applied);
        Assert.Equal("new", Assert.Single(pending).State);
        Assert.Equal("reloadnetworkall", reload.Upid.Type);
        var vnet = Assert.Single(after);
        Assert.Equal(("room1", "rooms", 4242L), (vnet.Vnet, vnet.Zone, vnet.Tag!.Value));
    }

    [Fact]
    public async Task NextId_Taken_IsTheCapturedParameterError()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.NextIdAsync(9000, timeout.Token));

        Assert.Equal(400, e.StatusCode);
        Assert.Equal("VM 9000 already exists", e.Errors["vmid"]);
        Assert.Equal(4711, await client.NextIdAsync(4711, timeout.Token));
    }

    [Fact]
    public async Task Migrate_ToOfflineNode_TaskFailsWithPvesExitStatus_VmStays()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Vms[120] = new ProxmoxSimulator.SimulatedVm(120, "pve1", "web") { Running = true };
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var refused = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.MigrateAsync("pve1", 120, "pve2", online: false, withLocalDisks: false, timeout.Token));
        var moved = await client.Tasks.WaitAsync(await client.Qemu.MigrateAsync("pve1", 120, "pve2", online: true, withLocalDisks: false, timeout.Token), TaskBound, timeout.Token);
        fixture.Simulator.Nodes["pve1"] = false;
        var upid = await client.Qemu.MigrateAsync("pve2", 120, "pve1", online: true, withLocalDisks: false, timeout.Token);
        var failed = await Assert.ThrowsAsync<ProxmoxException>(() => client.Tasks.WaitAsync(upid, TaskBound, timeout.Token));

        Assert.Contains("can't migrate running VM without --online", refused.Message, StringComparison.Ordinal);
        Assert.True(moved.Succeeded);
        Assert.Contains("migration problems: target node 'pve1' is offline", failed.Message, StringComparison.Ordinal);
        Assert.Equal("pve2", fixture.Simulator.Vms[120].Node);
    }

    [Fact]
    public async Task ClusterReads_ParseLeniently()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.Simulator.Vms[130] = new ProxmoxSimulator.SimulatedVm(130, "pve2", "db") { Running = true };
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        var version = await client.GetVersionAsync(timeout.Token);
        var status = await client.GetClusterStatusAsync(timeout.Token);
        var templates = await client.GetTemplatesAsync(timeout.Token);
        var vnc = await client.Qemu.VncProxyAsync("pve2", 130, timeout.Token);
        var term = await client.Qemu.TermProxyAsync("pve2", 130, "serial0", timeout.Token);

        Assert.Equal((9, "9.1"), (version.Major, version.Release));
        Assert.Equal(["pve1", "pve2"], status.Members.Select(m => m.Name));
        Assert.Equal("tiny", Assert.Single(templates).Name);
        Assert.Equal(5900, vnc.Port); // sent as the string "5900"
        Assert.StartsWith("PVEVNC:", term.Ticket, StringComparison.Ordinal);
        Assert.DoesNotContain(vnc.Ticket, vnc.ToString(), StringComparison.Ordinal);
    }
}
