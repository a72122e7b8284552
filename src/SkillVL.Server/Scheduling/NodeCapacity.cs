namespace SkillVL.Server.Scheduling;

/// <summary>A node as the scheduler sees it: size, what is already placed there, and whether it takes more.</summary>
/// <param name="Owner">Whose client node this is (issue 12); null: an admin's node.</param>
public sealed record NodeCapacity(
    string Name,
    int Cpus,
    long MemoryBytes,
    long AllocatedMemoryBytes,
    int Machines,
    bool Reachable,
    bool Drained,
    IReadOnlyDictionary<string, string>? Labels = null,
    string Kind = "server",
    Nodes.NodeOwner? Owner = null)
{
    public long FreeMemoryBytes => MemoryBytes - AllocatedMemoryBytes;
}
