namespace SkillVL.Server.Scheduling;

/// <summary>A machine to place.</summary>
/// <param name="Index">Its position in the room's machines (for error paths).</param>
/// <param name="Node">Explicit placement from the room definition, or null.</param>
/// <param name="CurrentNode">Where the machine already is (kept), or null for a new machine.</param>
/// <param name="Labels">Labels a node must carry (all of them), or null.</param>
/// <param name="CurrentMemoryBytes">The memory a kept machine has now (a resize grows it past this), or null.</param>
public sealed record MachineRequest(
    int Index, string Name, int Cpus, long MemoryBytes, string? Node, string? CurrentNode, IReadOnlyDictionary<string, string>? Labels = null, long? CurrentMemoryBytes = null);
