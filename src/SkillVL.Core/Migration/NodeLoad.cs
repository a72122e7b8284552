namespace SkillVL.Core.Migration;

/// <summary>How busy a node is, for <see cref="MigrationPolicy.WorthMoving"/>.</summary>
/// <param name="CpuUtilization">Fraction of the node's CPU in use, 0–1 (load average ÷ cores, capped at 1).</param>
/// <param name="FreeMemoryBytes">Memory a new VM could take.</param>
public sealed record NodeLoad(double CpuUtilization, long FreeMemoryBytes);
