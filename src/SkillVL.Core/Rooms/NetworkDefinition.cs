namespace SkillVL.Core.Rooms;

public sealed record NetworkDefinition
{
    public string Name { get; init; } = "";

    /// <summary>IPv4 CIDR, e.g. 10.0.1.0/24. The same in every instance of the room.</summary>
    public string Cidr { get; init; } = "";

    /// <summary>MTU; default 1450 (underlay 1500 minus the 50-byte VXLAN header).</summary>
    public int? Mtu { get; init; }

    /// <summary>DHCP on this network, served by the router on it; null: no DHCP (static addresses only).</summary>
    public DhcpDefinition? Dhcp { get; init; }

    /// <summary>
    /// True: the router on this network answers DNS for the room's machine (and router) names; it never
    /// forwards a query out of the room. Null or false: no name service.
    /// </summary>
    public bool? Dns { get; init; }

    /// <summary>
    /// Reach beyond the room: "none" (the default when absent) or "nat", which needs an uplink the operator
    /// configured; none can be configured yet, so "nat" is refused (ADR 0039).
    /// </summary>
    public string? Internet { get; init; }

    public UiPosition? Ui { get; init; }
}
