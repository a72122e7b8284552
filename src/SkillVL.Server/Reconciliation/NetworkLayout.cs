namespace SkillVL.Server.Reconciliation;

/// <summary>Where one room network lives and how its nodes are joined (ADR 0007, ADR 0019).</summary>
/// <param name="Nodes">Every node that has the network's bridge, ordinal: the nodes of its machines (and their migration
/// targets) and the hub.</param>
/// <param name="Hub">The server node that relays the network for <paramref name="Clients"/>; null when none is needed
/// (no client node, or the network is on one client node alone) or none is available.</param>
/// <param name="Clients">The client nodes joined to the network through <paramref name="Hub"/>, ordinal; empty without a hub.</param>
public sealed record NetworkLayout(IReadOnlyList<string> Nodes, string? Hub, IReadOnlyList<string> Clients);
