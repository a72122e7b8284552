namespace SkillVL.Core.Networking;

/// <summary>One room network as a node realises it (a Linux bridge on the QEMU node, a VNet on Proxmox SDN).</summary>
/// <param name="Id">Platform id of the network.</param>
/// <param name="Mtu">MTU of the bridge and every port on it (1450 leaves room for the 50-byte VXLAN header).</param>
/// <param name="Overlay">The VXLAN tunnel when the network spans server nodes; null: no VXLAN port.</param>
/// <param name="Relay">On a client node (ADR 0019): the hub this node's bridge is joined to over one outbound TLS
/// connection; null: no relay. Never together with <paramref name="Overlay"/>: client nodes are never VXLAN peers.</param>
/// <param name="RelayHub">On the hub of a network with machines on client nodes: the relay listener and the client
/// nodes allowed to attach to this network; null: this node relays nothing for the network.</param>
public sealed record NetworkSpec(
    string Id,
    int Mtu,
    VxlanOverlay? Overlay = null,
    NetworkRelay? Relay = null,
    NetworkRelayHub? RelayHub = null);
