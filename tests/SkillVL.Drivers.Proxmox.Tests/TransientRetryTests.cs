using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Drivers.Proxmox.Tests;

public sealed class TransientRetryTests
{
    private static readonly TransientRetry Quick = new() { FirstDelay = TimeSpan.FromMilliseconds(100), Attempts = 20 };

    [Fact]
    public async Task StartRightAfterClone_LockedThenRetried_Succeeds()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        using var client = fixture.Client();
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);
        fixture.Simulator.TaskDuration = TimeSpan.FromSeconds(1.5); // the first start surely meets the clone's lock
        await client.Qemu.CloneAsync("pve1", 9000, 160, "web", null, null, timeout.Token);
        fixture.Simulator.TaskDuration = TimeSpan.FromMilliseconds(300);

        // Not waiting for the clone task: the start meets "VM 160 is locked (clone)" and is retried until the lock is gone.
        var start = await Quick.RunAsync(idempotent: false, ct => client.Qemu.StartAsync("pve1", 160, ct), timeout.Token);
        await client.Tasks.WaitAsync(start, TimeSpan.FromSeconds(10), timeout.Token);

        Assert.Contains(fixture.Sent, r => r.PathTemplate == PveEndpoints.VmStart.PathTemplate);
        Assert.True(fixture.Sent.Count(r => r.PathTemplate == PveEndpoints.VmStart.PathTemplate) >= 2, "the first start should have met the clone's lock");
        Assert.True(fixture.Simulator.Vms[160].Running);
    }

    [Fact]
    public async Task LostAnswerToAWrite_IsNotRetried_ButARead_Is()
    {
        var calls = 0;
        Task<int> Lost(CancellationToken _)
        {
            calls++;
            throw new ProxmoxException("lab", "POST /nodes/pve1/qemu/100/clone", null, "cannot reach https://pve1:8006/", isTransient: true);
        }

        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);
        await Assert.ThrowsAsync<ProxmoxException>(() => Quick.RunAsync(idempotent: false, Lost, timeout.Token));
        Assert.Equal(1, calls);

        calls = 0;
        var three = new TransientRetry { FirstDelay = TimeSpan.FromMilliseconds(10), Attempts = 3 };
        await Assert.ThrowsAsync<ProxmoxException>(() => three.RunAsync(idempotent: true, Lost, timeout.Token));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task PermanentError_IsNotRetried()
    {
        var calls = 0;
        using var timeout = new CancellationTokenSource(SimulatorFixture.Bound);

        await Assert.ThrowsAsync<ProxmoxException>(() => Quick.RunAsync<int>(idempotent: true, _ =>
        {
            calls++;
            throw new ProxmoxException("lab", "POST /nodes/pve1/qemu/100/clone", 403, "Permission check failed (/vms/100, VM.Clone)");
        }, timeout.Token));

        Assert.Equal(1, calls);
    }
}
