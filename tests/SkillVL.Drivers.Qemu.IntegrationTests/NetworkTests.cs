using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests;

public sealed class NetworkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoVmsOnOneBridge_PingEachOther()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var network = await host.NewNetworkAsync();
        var a = host.NewVm("a", network);
        var b = host.NewVm("b", network);

        await Task.WhenAll(host.StartAndWaitForAgentAsync(a), host.StartAndWaitForAgentAsync(b));
        await host.ConfigureNicAsync(a, "10.0.1.11/24");
        await host.ConfigureNicAsync(b, "10.0.1.12/24");

        // The first echo may be lost to ARP on a cold bridge; a few tries, each bounded by busybox's -W.
        var ping = await host.ExecAsync(a.Id, "ping", "-c", "3", "-W", "2", "10.0.1.12");
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        Assert.Contains("bytes from 10.0.1.12", ping.Stdout, StringComparison.Ordinal);
        var back = await host.ExecAsync(b.Id, "ping", "-c", "1", "-W", "2", "10.0.1.11");
        Assert.Equal(0, back.ExitCode);

        await Task.WhenAll(
            host.Node.Vms.DeleteAsync(a.Id, CancellationToken.None),
            host.Node.Vms.DeleteAsync(b.Id, CancellationToken.None));
        await host.Node.Networks.DeleteAsync(network, CancellationToken.None);
        await host.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Start_NicOnMissingNetwork_ThrowsTransientDriverException_AndExecOnStoppedVmIsInvalidState()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var spec = host.NewVm("orphan", "aaaaaaaaaaaa");

        var error = await Assert.ThrowsAsync<DriverException>(() => host.Node.Vms.StartAsync(spec, CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Contains("aaaaaaaaaaaa", error.Message, StringComparison.Ordinal);

        var state = await Assert.ThrowsAsync<InvalidVmStateException>(
            () => host.Node.Vms.GuestExecAsync(spec.Id, ["true"], TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal(VmPowerState.Stopped, state.State);
        Assert.False(await host.Node.Vms.GuestPingAsync(spec.Id, TimeSpan.FromSeconds(1), CancellationToken.None));

        await host.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await host.AssertNothingLeftAsync();
    }
}
