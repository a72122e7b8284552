namespace SkillVL.Core.Api.Placements;

/// <summary><c>POST /api/v1/recommendations/accept</c>: carry out the recommended move of a machine to a node, if it still
/// is recommended (ADR 0030).</summary>
/// <param name="Machine">The machine's id, or "room/machine" by room name.</param>
/// <param name="To">The node the recommendation named.</param>
public sealed record AcceptRecommendationRequest(string? Machine, string? To);
