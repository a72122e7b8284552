namespace SkillVL.Core.Rooms;

/// <summary>
/// A router of the room (issue 18, ADR 0039): an address on each network it joins, IP forwarding between
/// them, and static routes. The platform provides it (a network namespace of the room instance's own);
/// it is not a machine and runs no template.
/// </summary>
public sealed record RouterDefinition
{
    /// <summary>Unique among the room's routers and machines (machine names resolve in DNS; so would a clash).</summary>
    public string Name { get; init; } = "";

    /// <summary>One per network the router joins, each with the router's address there.</summary>
    public IReadOnlyList<RouterInterfaceDefinition> Interfaces { get; init; } = [];

    /// <summary>Routes to networks beyond the router's own, through a next hop on one of them; null: none.</summary>
    public IReadOnlyList<StaticRouteDefinition>? Routes { get; init; }

    public UiPosition? Ui { get; init; }
}
