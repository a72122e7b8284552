namespace SkillVL.Core.Networking;

/// <summary>
/// The VXLAN tunnel of a room network that spans nodes (like a Proxmox SDN VXLAN zone): one VNI per network,
/// head-end replication to the peers that host machines of it.
/// </summary>
/// <param name="Vni">VXLAN network identifier, 1..16777215, unique across the platform.</param>
/// <param name="LocalAddress">This node's underlay (VTEP) IPv4 address.</param>
/// <param name="Peers">Underlay IPv4 addresses of the other nodes with machines on this network.</param>
/// <param name="Port">UDP destination port (IANA: 4789).</param>
public sealed record VxlanOverlay(int Vni, string LocalAddress, IReadOnlyList<string> Peers, int Port = 4789);
