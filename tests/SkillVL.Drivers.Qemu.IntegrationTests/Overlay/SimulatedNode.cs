using SkillVL.Drivers.Qemu.Networking;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Overlay;

/// <summary>A node of <see cref="TwoNodeUnderlay"/>: its namespace, its underlay (VTEP) address and its real network driver.</summary>
public sealed record SimulatedNode(string Namespace, string UnderlayAddress, LinuxBridgeNetworkDriver Networks);
