using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SkillVL.Core.Compute;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// When each running VM was last busy (ADR 0061), for idle shutdown: the reconciler hands over what every node reports on
/// each pass, and a VM counts as busy when it (re)started, when its QEMU used more CPU over a <see cref="Window"/> than
/// <see cref="SkillVlServerOptions.IdleCpuPercent"/> of one core, or while anyone has a console open on it. Kept in
/// memory: after a Server restart every VM counts as busy from then on (never stopped early).
/// </summary>
public sealed class MachineActivity(IOptions<SkillVlServerOptions> options, TimeProvider time)
{
    /// <summary>A VM not reported for this long is forgotten (deleted, moved away, its node gone).</summary>
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The shortest span the CPU rate is measured over. The reconciler reports as often as every few hundred milliseconds,
    /// and /proc counts CPU time in 10 ms ticks: one tick in 100 ms would read as 10 % of a core.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Sample> _vms = new(StringComparer.Ordinal);

    /// <summary>Takes one node's report of its VMs.</summary>
    public void Observe(IEnumerable<VmObservation> observed)
    {
        var now = time.GetUtcNow();
        foreach (var vm in observed)
        {
            if (vm.State != VmPowerState.Running || vm.CpuSeconds is not { } cpu)
            {
                _vms.TryRemove(vm.Id, out _);
                continue;
            }

            _vms.AddOrUpdate(
                vm.Id,
                _ => new Sample(vm.BootId, cpu, now, now),
                (_, last) =>
                {
                    if (last.BootId != vm.BootId || cpu < last.CpuSeconds)
                    {
                        return new Sample(vm.BootId, cpu, now, now); // a new QEMU process: a start is activity
                    }

                    var span = now - last.At;
                    if (span < Window)
                    {
                        return last with { SeenAt = now };
                    }

                    var busy = (cpu - last.CpuSeconds) / span.TotalSeconds * 100 >= options.Value.IdleCpuPercent;
                    return new Sample(vm.BootId, cpu, now, busy ? now : last.BusyAt);
                });
        }

        foreach (var (id, sample) in _vms)
        {
            if (now - sample.SeenAt > Forget)
            {
                _vms.TryRemove(id, out _);
            }
        }
    }

    /// <summary>How long the VM has been idle, or null when it is not known to run (not reported yet, stopped).</summary>
    /// <param name="consoleOpen">Whether anyone has a console open on it now (the caller asks the console registry).</param>
    public TimeSpan? IdleFor(string vmId, bool consoleOpen)
    {
        if (!_vms.TryGetValue(vmId, out var sample))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (consoleOpen)
        {
            _vms.TryUpdate(vmId, sample with { BusyAt = now }, sample);
            return TimeSpan.Zero;
        }

        return now - sample.BusyAt;
    }

    /// <summary>The CPU time at <paramref name="At"/> (the start of the current window), when the VM was last busy, and
    /// when it was last reported.</summary>
    private sealed record Sample(string? BootId, double CpuSeconds, DateTimeOffset At, DateTimeOffset BusyAt)
    {
        public DateTimeOffset SeenAt { get; init; } = At;
    }
}
