namespace SkillVL.Core.Networking;

/// <summary>
/// How a client node's bridge of a room network reaches the rest of the network (ADR 0019): the node's agent opens one
/// TLS connection, outward, to the hub's relay listener and carries the bridge's Ethernet frames over it. Behind NAT
/// that is the only direction that works, and it is encrypted, which VXLAN is not.
/// </summary>
/// <param name="HubAddress">The hub's underlay IPv4 address (its node certificate names it).</param>
/// <param name="HubPort">The hub's relay listener TCP port (<see cref="Nodes.NodeFacts.RelayPort"/>).</param>
/// <param name="HubNodeName">The hub's node name; its certificate must name it too, so the client knows whom it joined.</param>
public sealed record NetworkRelay(string HubAddress, int HubPort, string HubNodeName);
