using SkillVL.Core.Api.Identity;

namespace SkillVL.Server.Identity;

/// <summary>Section "SkillVL:Quotas": default limits per role (admins have none).</summary>
public sealed class QuotaOptions
{
    public QuotaSettings Student { get; set; } = new() { Cpus = 4, MemoryBytes = 4L << 30, DiskBytes = 40L << 30, RunningVms = 4 };

    public QuotaSettings Teacher { get; set; } = new() { Cpus = 16, MemoryBytes = 32L << 30, DiskBytes = 200L << 30, RunningVms = 16 };

    public QuotaLimits ForRole(string role) => role switch
    {
        PlatformRoles.Student => Student.ToLimits(),
        PlatformRoles.Teacher => Teacher.ToLimits(),
        _ => new QuotaLimits(),
    };
}
