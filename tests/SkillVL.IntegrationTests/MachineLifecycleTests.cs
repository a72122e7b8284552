using System.Diagnostics;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>Persistence across stop/start, re-adoption after a Server restart, crash recovery.</summary>
[Collection(VmCollection.Name)]
public sealed class MachineLifecycleTests
{
    private const string OneVm = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: solo }
        networks:
          - { name: lan, cidr: 192.168.50.0/24 }
        machines:
          - { name: vm, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 192.168.50.5 }] }
        """;

    [Fact]
    public async Task FileWrittenInGuest_SurvivesStopAndStart()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(OneVm);
        var write = await server.ExecAsync("solo", "vm", "/bin/sh", "-c", "echo persisted-$((6*7)) > /root/note.txt && sync");
        Assert.Equal(0, write.ExitCode);

        await server.PostTaskAsync("/api/v1/rooms/solo/machines/vm/stop", TimeSpan.FromMinutes(1));
        Assert.Empty(server.QemuProcesses());
        Assert.Equal("stopped", (await server.GetMachineAsync("solo", "vm")).State);
        await server.PostTaskAsync("/api/v1/rooms/solo/machines/vm/start", TimeSpan.FromMinutes(2));

        var read = await server.ExecAsync("solo", "vm", "cat", "/root/note.txt");
        Assert.Equal("persisted-42\n", read.Stdout);
    }

    [Fact]
    public async Task ServerRestart_VmsKeepRunningAndAreReadopted()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(OneVm);
        var pid = await server.QemuPidAsync("solo", "vm");
        var bootBefore = await server.ExecAsync("solo", "vm", "cat", "/proc/sys/kernel/random/boot_id");

        await server.RestartAsync();

        Assert.Equal(pid, await server.QemuPidAsync("solo", "vm"));
        var bootAfter = await server.ExecAsync("solo", "vm", "cat", "/proc/sys/kernel/random/boot_id");
        Assert.Equal(bootBefore.Stdout, bootAfter.Stdout);
        // Still controllable: a restart through the new Server reboots the guest.
        await server.PostTaskAsync("/api/v1/rooms/solo/machines/vm/restart", TimeSpan.FromMinutes(2));
        var bootRestarted = await server.ExecAsync("solo", "vm", "cat", "/proc/sys/kernel/random/boot_id");
        Assert.NotEqual(bootBefore.Stdout, bootRestarted.Stdout);
    }

    [Fact]
    public async Task KilledQemu_ShowsCrashAndIsStartedAgain()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(OneVm);
        var pid = await server.QemuPidAsync("solo", "vm");

        Process.GetProcessById(pid).Kill();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var machine = await server.GetMachineAsync("solo", "vm");
            if (machine is { State: "running", GuestReady: true } && machine.LastError is not null
                && machine.LastError.Contains("ended unexpectedly", StringComparison.Ordinal))
            {
                break;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"not recovered: {machine.State}, {machine.LastError}");
            await Task.Delay(250);
        }

        Assert.NotEqual(pid, await server.QemuPidAsync("solo", "vm"));
        var alive = await server.ExecAsync("solo", "vm", "true");
        Assert.Equal(0, alive.ExitCode);
    }
}
