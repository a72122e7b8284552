using SkillVL.Core.Api.Identity;

namespace SkillVL.Server.Identity;

/// <summary>Section "SkillVL:Quotas": default limits per role (admins have none).</summary>
public sealed class QuotaOptions
{
    public QuotaSettings Student { get; set; } = new() { Cpus = 4, MemoryBytes = 4L << 30, DiskBytes = 40L << 30, RunningVms = 4 };

    public QuotaSettings Teacher { get; set; } = new() { Cpus = 16, MemoryBytes = 32L << 30, DiskBytes = 200L << 30, RunningVms = 16 };

    /// <summary>
    /// A course's limits where it sets none (issue 11: instances count against their course, which was unlimited).
    /// A teacher may set a course lower, not higher; an admin may set any. Default 64 vCPUs, 64 GiB, 1 TiB, 64 VMs.
    /// </summary>
    public QuotaSettings Course { get; set; } = new() { Cpus = 64, MemoryBytes = 64L << 30, DiskBytes = 1L << 40, RunningVms = 64 };

    public QuotaLimits ForRole(string role) => role switch
    {
        PlatformRoles.Student => Student.ToLimits(),
        PlatformRoles.Teacher => Teacher.ToLimits(),
        _ => new QuotaLimits(),
    };
}
