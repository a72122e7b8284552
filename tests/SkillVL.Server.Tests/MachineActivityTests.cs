using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SkillVL.Core.Compute;
using SkillVL.Server.Consoles;
using SkillVL.Server.Hosting;
using SkillVL.Server.Reconciliation;

namespace SkillVL.Server.Tests;

/// <summary>ADR 0061: a VM is busy when it (re)starts, when its QEMU used at least IdleCpuPercent of a core since the last
/// report, and while a console is open on it; idle time counts from the last busy moment.</summary>
public sealed class MachineActivityTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ConsoleSessions _consoles;
    private readonly MachineActivity _activity;

    public MachineActivityTests()
    {
        _consoles = new ConsoleSessions(NullLogger<ConsoleSessions>.Instance, _time);
        _activity = new MachineActivity(Microsoft.Extensions.Options.Options.Create(new SkillVlServerOptions { IdleCpuPercent = 5 }), _time);
    }

    [Fact]
    public void IdleTime_CountsFromTheLastBusyReport_AndRestartsWithANewBoot()
    {
        Assert.Null(_activity.IdleFor("vm", _consoles.IsOpenOn("vm")));
        Report(cpu: 10, boot: "b1"); // first seen: busy now
        Step(60, cpu: 11); // 1 s of CPU in 60 s: 1.7 %, idle
        Step(60, cpu: 12);
        Assert.Equal(TimeSpan.FromSeconds(120), _activity.IdleFor("vm", _consoles.IsOpenOn("vm")));

        Step(60, cpu: 30); // 18 s in 60 s: 30 %, busy
        Assert.Equal(TimeSpan.Zero, _activity.IdleFor("vm", _consoles.IsOpenOn("vm")));
        Step(60, cpu: 32.9); // 4.8 %: under the threshold
        Assert.Equal(TimeSpan.FromSeconds(60), _activity.IdleFor("vm", _consoles.IsOpenOn("vm")));

        _time.Advance(TimeSpan.FromSeconds(60));
        Report(cpu: 0.5, boot: "b2"); // restarted: a new process is activity
        Assert.Equal(TimeSpan.Zero, _activity.IdleFor("vm", _consoles.IsOpenOn("vm")));
    }

    [Fact]
    public void FrequentReports_AreMeasuredOverTheWindow_NotTickByTick()
    {
        // The reconciler may report every 100 ms; one 10 ms tick in 100 ms would read as 10 %.
        Report(cpu: 1, boot: "b1");
        var cpu = 1.0;
        for (var i = 0; i < 300; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            cpu += i % 3 == 0 ? 0.01 : 0; // 3.3 % of a core, in 10 ms ticks
            Report(cpu, "b1");
        }

        Assert.Equal(TimeSpan.FromSeconds(30), _activity.IdleFor("vm", _consoles.IsOpenOn("vm")));
    }

    [Fact]
    public void AnOpenConsole_KeepsItBusy_AStoppedVmIsForgotten()
    {
        Report(cpu: 1, boot: "b1");
        var session = _consoles.Open(new ConsoleGrant("u1", "sam", "student", "vm", "local", "room=r machine=vm", "vnc"), CancellationToken.None);
        Step(600, cpu: 1);
        Assert.Equal(TimeSpan.Zero, _activity.IdleFor("vm", _consoles.IsOpenOn("vm")));
        session.Dispose();
        Step(300, cpu: 1);
        Assert.Equal(TimeSpan.FromSeconds(300), _activity.IdleFor("vm", _consoles.IsOpenOn("vm")));

        _activity.Observe([new VmObservation("vm", VmPowerState.Stopped, null, null, null, null)]);
        Assert.Null(_activity.IdleFor("vm", _consoles.IsOpenOn("vm")));
    }

    private void Step(int seconds, double cpu)
    {
        _time.Advance(TimeSpan.FromSeconds(seconds));
        Report(cpu, "b1");
    }

    private void Report(double cpu, string boot) =>
        _activity.Observe([new VmObservation("vm", VmPowerState.Running, "spec", _time.GetUtcNow(), boot, 1 << 20, cpu)]);
}
