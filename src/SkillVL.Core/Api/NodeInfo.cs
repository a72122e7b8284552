namespace SkillVL.Core.Api;

/// <summary>A node and what is placed on it.</summary>
/// <param name="State">"ready" or "unreachable".</param>
public sealed record NodeInfo(
    string Name,
    string Kind,
    string State,
    string Accelerator,
    int Cpus,
    long MemoryBytes,
    int MachinesRunning,
    int CpusAllocated,
    long MemoryBytesAllocated,
    bool Drained = false,
    string? UnderlayAddress = null,
    IReadOnlyDictionary<string, string>? Labels = null);
