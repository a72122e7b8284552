using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Networking.Relay;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Overlay;

/// <summary>
/// A node of <see cref="TwoNodeUnderlay"/>: its namespace, its underlay (VTEP) address and its real network driver,
/// with the driver's room-network relays (ADR 0019) reading their certificates from <paramref name="TlsDirectory"/>.
/// </summary>
public sealed record SimulatedNode(
    string Namespace, string UnderlayAddress, LinuxBridgeNetworkDriver Networks, NetworkRelays Relays, string TlsDirectory);
