namespace SkillVL.Core.Api.Placements;

/// <summary>A client node's announced departure (ADR 0063).</summary>
/// <param name="Node">The client node.</param>
/// <param name="DepartsAt">When it said it goes.</param>
public sealed record NodeDepartureInfo(string Node, DateTimeOffset DepartsAt);
