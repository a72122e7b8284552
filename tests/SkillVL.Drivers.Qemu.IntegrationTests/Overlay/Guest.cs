namespace SkillVL.Drivers.Qemu.IntegrationTests.Overlay;

/// <summary>
/// A stand-in for a VM: a namespace whose eth0 is one end of a veth; the other end, <paramref name="Port"/>,
/// is a port of a network's bridge on <paramref name="Node"/>, where a VM's tap would be.
/// </summary>
public sealed record Guest(string Namespace, string Port, SimulatedNode Node, string Address);
