namespace SkillVL.Server.Scheduling;

/// <summary>A node as the scheduler sees it: size, what is already placed there, and whether it takes more.</summary>
public sealed record NodeCapacity(
    string Name,
    int Cpus,
    long MemoryBytes,
    long AllocatedMemoryBytes,
    int Machines,
    bool Reachable,
    bool Drained,
    IReadOnlyDictionary<string, string>? Labels = null,
    string Kind = "server")
{
    public long FreeMemoryBytes => MemoryBytes - AllocatedMemoryBytes;
}
