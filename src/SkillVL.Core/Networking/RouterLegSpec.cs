namespace SkillVL.Core.Networking;

/// <summary>The router's leg on one room network.</summary>
/// <param name="NetworkId">Platform id of the network; its bridge must exist on the node.</param>
/// <param name="Address">The router's address with prefix length, e.g. 10.0.1.1/24.</param>
/// <param name="Mtu">The network's MTU.</param>
/// <param name="DhcpFirst">First address leased on this network; null: no DHCP here.</param>
/// <param name="DhcpLast">Last address leased, inclusive; set exactly when <paramref name="DhcpFirst"/> is.</param>
/// <param name="Dns">True: answer DNS on this leg and hand this address out as name server.</param>
public sealed record RouterLegSpec(string NetworkId, string Address, int Mtu, string? DhcpFirst, string? DhcpLast, bool Dns);
