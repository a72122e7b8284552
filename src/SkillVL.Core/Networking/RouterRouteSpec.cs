namespace SkillVL.Core.Networking;

/// <summary>A static route of a router: <paramref name="To"/> (CIDR) through the next hop <paramref name="Via"/>.</summary>
public sealed record RouterRouteSpec(string To, string Via);
