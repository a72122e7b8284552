namespace SkillVL.Core.Compute;

/// <summary>One virtual NIC.</summary>
/// <param name="Id">Platform id of the NIC; the tap is derived from it.</param>
/// <param name="NetworkId">Platform id of the network it plugs into.</param>
/// <param name="MacAddress">Stable MAC (locally administered, 52:54:00 prefix as QEMU uses).</param>
/// <param name="Mtu">MTU set on the tap and in the guest.</param>
/// <param name="IpAddress">Address with prefix length (e.g. 10.0.1.10/24) applied in the guest, or null.</param>
public sealed record NicSpec(string Id, string NetworkId, string MacAddress, int Mtu, string? IpAddress);
