namespace SkillVL.Core.Networking;

/// <summary>
/// The hub's side of a relayed room network (ADR 0019): the node listens on <paramref name="ListenAddress"/>:
/// <paramref name="Port"/> for client nodes and attaches each connection of a listed client to this network's bridge.
/// A client not listed here is refused for this network, whatever else it may join.
/// </summary>
/// <param name="ListenAddress">The hub's own underlay IPv4 address.</param>
/// <param name="Port">TCP port of the relay listener (<see cref="Nodes.NodeFacts.RelayPort"/>).</param>
/// <param name="Clients">Names of the client nodes allowed to attach to this network (their certificates name them).</param>
public sealed record NetworkRelayHub(string ListenAddress, int Port, IReadOnlyList<string> Clients);
