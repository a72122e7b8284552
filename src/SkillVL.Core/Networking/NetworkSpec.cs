namespace SkillVL.Core.Networking;

/// <summary>One room network as a node realises it (a Linux bridge on the QEMU node, a VNet on Proxmox SDN).</summary>
/// <param name="Id">Platform id of the network.</param>
/// <param name="Mtu">MTU of the bridge and every port on it (1450 leaves room for the 50-byte VXLAN header).</param>
/// <param name="Overlay">The VXLAN tunnel when the network spans nodes; null: a bridge local to the node.</param>
public sealed record NetworkSpec(string Id, int Mtu, VxlanOverlay? Overlay = null);
