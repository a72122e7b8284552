using SkillVL.Core.Api.Identity;

namespace SkillVL.Server.Quotas;

/// <summary>Pure: sums demands and checks them against limits. Defined machines count for CPU, memory and disk;
/// only running (or to-be-running) machines count for running VMs.</summary>
public static class QuotaCalculator
{
    public static QuotaUsage Usage(QuotaLimits limits, IEnumerable<MachineDemand> machines)
    {
        int cpus = 0, running = 0;
        long memory = 0, disk = 0;
        foreach (var m in machines)
        {
            cpus += m.Cpus;
            memory += m.MemoryBytes;
            disk += m.DiskBytes;
            running += m.Running ? 1 : 0;
        }

        return new QuotaUsage(limits, cpus, memory, disk, running);
    }

    /// <summary>The first limit the usage breaks, or null. A usage that does not grow never violates
    /// (so a user over a lowered limit can still stop or shrink things).</summary>
    public static QuotaViolation? Check(string scope, string subject, QuotaUsage before, QuotaUsage after)
    {
        var limits = after.Limits;
        if (limits.Cpus is { } c && after.Cpus > c && after.Cpus > before.Cpus)
        {
            return new QuotaViolation(scope, subject, "cpus", c, after.Cpus);
        }

        if (limits.MemoryBytes is { } m && after.MemoryBytes > m && after.MemoryBytes > before.MemoryBytes)
        {
            return new QuotaViolation(scope, subject, "memory", m, after.MemoryBytes);
        }

        if (limits.DiskBytes is { } d && after.DiskBytes > d && after.DiskBytes > before.DiskBytes)
        {
            return new QuotaViolation(scope, subject, "disk", d, after.DiskBytes);
        }

        if (limits.RunningVms is { } r && after.RunningVms > r && after.RunningVms > before.RunningVms)
        {
            return new QuotaViolation(scope, subject, "runningVms", r, after.RunningVms);
        }

        return null;
    }
}
