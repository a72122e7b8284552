using SkillVL.Core.Placement;

namespace SkillVL.Core.Api;

/// <summary>
/// One entry of <c>GET /api/v1/recommendations</c> (issue 14, suggest mode; ADR 0027): the advisor's judgement and how to
/// carry it out. There is no route that accepts a recommendation: accepting it is the request named here — a migration
/// for a move between servers, a check-out to the owner's own computer, a check-in back — which checks everything again
/// against the situation at that moment.
/// </summary>
/// <param name="Advice">The move, its gain, cost and reason.</param>
/// <param name="RoomId">The machine's room (the accept path names it by id, which works for every caller who sees it).</param>
/// <param name="AcceptPath">Where to POST to carry the move out.</param>
/// <param name="AcceptBody">The JSON body of that POST (null: none).</param>
public sealed record RecommendationInfo(
    PlacementRecommendation Advice,
    string RoomId,
    string AcceptPath,
    IReadOnlyDictionary<string, string>? AcceptBody);
