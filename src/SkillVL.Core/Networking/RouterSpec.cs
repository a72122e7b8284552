namespace SkillVL.Core.Networking;

/// <summary>
/// A room instance's router as a node realises it (ADR 0039): a network namespace of its own joined to the
/// room's bridges, forwarding between them, with DHCP and DNS where the room asks for them. Addresses are the
/// room's, so two instances of one room have equal specs except for their ids and networks.
/// </summary>
/// <param name="Id">12-hex platform id (of the room instance's router); names the namespace.</param>
/// <param name="Legs">One per room network the router joins.</param>
/// <param name="Routes">Static routes, each through a next hop on one of the legs' networks.</param>
/// <param name="Hosts">Names answered by DNS (machines' and routers' static addresses); empty with no DNS leg.</param>
public sealed record RouterSpec(
    string Id,
    IReadOnlyList<RouterLegSpec> Legs,
    IReadOnlyList<RouterRouteSpec> Routes,
    IReadOnlyList<RouterHostSpec> Hosts);
