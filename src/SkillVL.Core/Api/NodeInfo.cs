namespace SkillVL.Core.Api;

/// <summary>A node and what is placed on it.</summary>
/// <param name="State">"ready" or "unreachable".</param>
/// <param name="MachinesRunning">Running machines on the node: all of them for an admin, the caller's own otherwise.</param>
/// <param name="CpusAllocated">vCPUs of the machines on the node: all of them for an admin, the caller's own otherwise.</param>
/// <param name="MemoryBytesAllocated">Memory of the machines on the node: all of them for an admin, the caller's own otherwise.</param>
/// <param name="UnderlayAddress">The node's overlay address; only an admin sees it.</param>
/// <param name="Allocation">
/// Whose machines the allocation figures count: "all" (an admin's view) or "yours" (a student's or teacher's: other
/// users' allocation, and so the node's free memory, are not theirs to see — issue 11, finding 9).
/// </param>
/// <param name="Owner">
/// The username a client node belongs to (issue 12): shown to an admin and to the owner; null for an admin's node.
/// </param>
/// <param name="Load">
/// The node's latest load sample (issue 14, ADR 0027), for an admin only: how busy a node is tells others about other
/// users' work there, as the free memory would. Null when the node sent none in the last 30 minutes.
/// </param>
/// <param name="DepartsAt">
/// When a client node said it leaves (ADR 0063), to whoever sees the node (an admin, its owner); null: not announced.
/// </param>
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
    IReadOnlyDictionary<string, string>? Labels = null,
    string Allocation = NodeInfo.AllocationAll,
    string? Owner = null,
    Nodes.NodeLoadSample? Load = null,
    DateTimeOffset? DepartsAt = null)
{
    public const string AllocationAll = "all";
    public const string AllocationYours = "yours";
}
