namespace SkillVL.Core.Rooms;

/// <summary>A static route of a router: traffic for <see cref="To"/> goes to the next hop <see cref="Via"/>.</summary>
public sealed record StaticRouteDefinition
{
    /// <summary>Destination IPv4 CIDR, e.g. 10.0.9.0/24.</summary>
    public string To { get; init; } = "";

    /// <summary>Next hop: an address on one of the router's networks (another router or a machine that forwards).</summary>
    public string Via { get; init; } = "";
}
