namespace SkillVL.Core.Api.Identity;

/// <summary>Resource limits; null means "no limit" (or, in an override, "the default").</summary>
/// <param name="DiskBytes">Virtual size of the machines' disks.</param>
public sealed record QuotaLimits(int? Cpus = null, long? MemoryBytes = null, long? DiskBytes = null, int? RunningVms = null);
