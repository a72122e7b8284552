namespace SkillVL.Core.Rooms;

/// <summary>
/// DHCP on a network, served from a router's address there (ADR 0039). Leases hand out the router as
/// gateway and, when the network has DNS, as name server.
/// </summary>
public sealed record DhcpDefinition
{
    /// <summary>First and last address leased, inclusive, e.g. "10.0.1.100-10.0.1.199"; no static address may fall inside.</summary>
    public string Range { get; init; } = "";
}
