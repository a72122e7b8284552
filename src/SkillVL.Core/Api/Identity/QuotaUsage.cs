namespace SkillVL.Core.Api.Identity;

/// <summary>What a user (or course) uses against its limits. Defined machines count for CPU, memory and disk.</summary>
public sealed record QuotaUsage(QuotaLimits Limits, int Cpus, long MemoryBytes, long DiskBytes, int RunningVms);
