using SkillVL.Core.Compute;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests;

public sealed class VmLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Start_OneNicOnBridge_AgentAnswers_ExecWorks_GracefulStop_DiskSurvivesRestart_DeleteLeavesNothing()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var network = await host.NewNetworkAsync();
        var spec = host.NewVm("web", network);

        await host.StartAndWaitForAgentAsync(spec);

        // The disk is a linked clone: the template's disk is its backing file, and the clone is small.
        var disk = await host.Node.Images.InfoAsync(
            Path.Combine(host.Options.DataDirectory, "vms", spec.Id, "disk.qcow2"), CancellationToken.None);
        Assert.Equal(Path.Combine(host.Options.DataDirectory, "templates", host.Template.Sha256, "disk.qcow2"), disk.BackingFile);
        Assert.True(disk.ActualSizeBytes < 16L * 1024 * 1024, $"clone occupies {disk.ActualSizeBytes} bytes");

        var uname = await host.ExecAsync(spec.Id, "uname", "-r");
        Assert.Equal(0, uname.ExitCode);
        Assert.Equal(host.KernelVersion, uname.Stdout.Trim());

        // The NIC's MTU reaches the guest through virtio-net's host_mtu.
        var mtu = await host.ExecAsync(spec.Id, "sh", "-c", $"for d in /sys/class/net/*; do [ \"$(cat $d/address)\" = \"{spec.Nics[0].MacAddress}\" ] && cat $d/mtu; done");
        Assert.Equal("1450", mtu.Stdout.Trim());

        var running = await host.ObserveAsync(spec.Id);
        Assert.NotNull(running);
        Assert.Equal(VmPowerState.Running, running.State);
        Assert.Equal(spec.SpecHash, running.SpecHash);
        Assert.NotNull(running.BootId);
        Assert.True(running.RssBytes > 64L * 1024 * 1024, $"RSS {running.RssBytes}");

        var write = await host.ExecAsync(spec.Id, "sh", "-c", "echo persisted-42 > /root/marker && sync");
        Assert.Equal(0, write.ExitCode);

        await host.Node.Vms.StopAsync(spec.Id, StopMode.Graceful, TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.Contains("Power down", host.SerialLog(spec.Id), StringComparison.Ordinal);
        var stopped = await host.ObserveAsync(spec.Id);
        Assert.Equal(VmPowerState.Stopped, stopped!.State);
        Assert.Null(stopped.BootId);
        // A stopped VM holds no tap; its network's bridge stays.
        Assert.Equal(["svb" + network], await TestUtilities.HostInterfaces.WithAliasAsync(host.Alias));

        await host.StartAndWaitForAgentAsync(spec);
        var again = await host.ObserveAsync(spec.Id);
        Assert.NotEqual(running.BootId, again!.BootId);
        var read = await host.ExecAsync(spec.Id, "cat", "/root/marker");
        Assert.Equal("persisted-42", read.Stdout.Trim());

        // Start of a running VM does nothing (same process, same boot).
        await host.Node.Vms.StartAsync(spec, CancellationToken.None);
        Assert.Equal(again.BootId, (await host.ObserveAsync(spec.Id))!.BootId);

        await host.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await host.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await host.Node.Networks.DeleteAsync(network, CancellationToken.None);
        Assert.Null(await host.ObserveAsync(spec.Id));
        await host.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task SigkillOfQemu_ListReportsCrashed_StartRecovers()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var spec = host.NewVm("victim");
        await host.StartAndWaitForAgentAsync(spec);
        var pid = host.QemuPid(spec.Id)!.Value;

        using (var process = System.Diagnostics.Process.GetProcessById(pid))
        {
            process.Kill();
        }

        await TestUtilities.Bounded.WaitUntilAsync(
            async () => (await host.ObserveAsync(spec.Id))?.State == VmPowerState.Crashed,
            TimeSpan.FromSeconds(10),
            "List to report the killed VM as crashed");
        var crashed = await host.ObserveAsync(spec.Id);
        Assert.Null(crashed!.SpecHash);
        await Assert.ThrowsAsync<SkillVL.Core.Errors.InvalidVmStateException>(
            () => host.Node.Vms.GuestExecAsync(spec.Id, ["true"], TimeSpan.FromSeconds(5), CancellationToken.None));

        await host.StartAndWaitForAgentAsync(spec);
        Assert.Equal(VmPowerState.Running, (await host.ObserveAsync(spec.Id))!.State);

        await host.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await host.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task NewNode_ReadoptsRunningVm_ExecsAndStopsIt()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var network = await host.NewNetworkAsync();
        var spec = host.NewVm("survivor", network);
        await host.StartAndWaitForAgentAsync(spec);
        var before = await host.ObserveAsync(spec.Id);

        await host.RestartNodeAsync();

        var after = await host.ObserveAsync(spec.Id);
        Assert.Equal(VmPowerState.Running, after!.State);
        Assert.Equal(before!.BootId, after.BootId);
        Assert.Equal(before.StartedAt, after.StartedAt);
        Assert.Equal(spec.SpecHash, after.SpecHash);
        Assert.Equal([network], await host.Node.Networks.ListAsync(CancellationToken.None));
        var exec = await host.ExecAsync(spec.Id, "cat", "/etc/hostname");
        Assert.Equal(0, exec.ExitCode);

        // Reset through the re-adopted QMP: the guest reboots inside the same process (same boot id).
        // The kernel's boot_id is new on every boot (uptime is not a proof: under load a reboot can take longer
        // than the guest had been up).
        var guestBootBefore = await host.ExecAsync(spec.Id, "cat", "/proc/sys/kernel/random/boot_id");
        await host.Node.Vms.ResetAsync(spec.Id, CancellationToken.None);
        await host.WaitForAgentAsync(spec.Id);
        var guestBootAfter = await host.ExecAsync(spec.Id, "cat", "/proc/sys/kernel/random/boot_id");
        Assert.NotEqual(guestBootBefore.Stdout.Trim(), guestBootAfter.Stdout.Trim());
        Assert.Equal(before.BootId, (await host.ObserveAsync(spec.Id))!.BootId);

        await host.Node.Vms.StopAsync(spec.Id, StopMode.Hard, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(VmPowerState.Stopped, (await host.ObserveAsync(spec.Id))!.State);

        await host.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await host.Node.Networks.DeleteAsync(network, CancellationToken.None);
        await host.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task GuestPowersItselfOff_ListReportsShutOff_StopQuitsIt()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var spec = host.NewVm("selfoff");
        await host.StartAndWaitForAgentAsync(spec);

        // The agent dies with the guest, so the exec may not return: fire and forget within a bound.
        _ = host.Node.Vms.GuestExecAsync(spec.Id, ["poweroff"], TimeSpan.FromSeconds(5), CancellationToken.None)
            .ContinueWith(t => t.Exception, TaskScheduler.Default);
        await TestUtilities.Bounded.WaitUntilAsync(
            async () => (await host.ObserveAsync(spec.Id))?.State == VmPowerState.ShutOff,
            TimeSpan.FromSeconds(60),
            "the guest to power itself off");
        Assert.NotNull(host.QemuPid(spec.Id));

        await host.Node.Vms.StopAsync(spec.Id, StopMode.Graceful, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal(VmPowerState.Stopped, (await host.ObserveAsync(spec.Id))!.State);

        await host.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await host.AssertNothingLeftAsync();
    }
}
