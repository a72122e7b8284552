namespace SkillVL.Core.Nodes;

/// <summary>What a node reports about itself.</summary>
/// <param name="Name">Node name, "local" for the embedded node.</param>
/// <param name="Cpus">Host CPUs.</param>
/// <param name="MemoryBytes">Host RAM.</param>
/// <param name="Accelerator">"kvm" or "tcg".</param>
public sealed record NodeFacts(string Name, int Cpus, long MemoryBytes, string Accelerator);
