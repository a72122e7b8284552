namespace SkillVL.Server.Quotas;

/// <summary>What one machine asks of a quota.</summary>
public sealed record MachineDemand(int Cpus, long MemoryBytes, long DiskBytes, bool Running);
