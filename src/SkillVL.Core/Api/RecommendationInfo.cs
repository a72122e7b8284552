namespace SkillVL.Core.Api;

/// <summary>
/// One entry of <c>GET /api/v1/recommendations</c> (issue 14, suggest mode; ADR 0027): the placement advisor's judgement
/// of a move (<see cref="Placement.PlacementRecommendation"/>, durations in milliseconds as the migration API gives them)
/// and how to carry it out. There is no route that accepts a recommendation: accepting it is the request named here — a
/// migration between servers, a check-out to the owner's own computer, a check-in back — which checks everything again
/// against the situation at that moment.
/// </summary>
/// <param name="Machine">"room/machine", the room by name.</param>
/// <param name="MachineId">The machine's id.</param>
/// <param name="RoomId">The machine's room (the accept path names it by id, which works for every caller who sees it).</param>
/// <param name="From">Where it runs.</param>
/// <param name="To">Where it would go.</param>
/// <param name="Kind">"vertical-to-client", "vertical-to-server" or "horizontal".</param>
/// <param name="Recommended">Whether the move pays; false: considered, and the reason says why not.</param>
/// <param name="Reason">Why, in words, with the numbers.</param>
/// <param name="ConsoleBeforeMs">The owner's console round trip where it runs, if measured.</param>
/// <param name="ConsoleAfterMs">The round trip expected after the move, if known.</param>
/// <param name="SourceCpu">The source's CPU use, 0–1, if reported.</param>
/// <param name="TargetCpu">The target's CPU use, 0–1, if reported.</param>
/// <param name="PredictedTimeMs">The migration model's time for the move (ADR 0009); null when it would not converge.</param>
/// <param name="PredictedDowntimeMs">The pause the guest would see.</param>
/// <param name="PredictedBytes">Bytes on the link.</param>
/// <param name="AcceptPath">Where to POST to carry the move out.</param>
/// <param name="AcceptBody">The JSON body of that POST (null: none).</param>
public sealed record RecommendationInfo(
    string Machine,
    string MachineId,
    string RoomId,
    string From,
    string To,
    string Kind,
    bool Recommended,
    string Reason,
    double? ConsoleBeforeMs,
    double? ConsoleAfterMs,
    double? SourceCpu,
    double? TargetCpu,
    double? PredictedTimeMs,
    double? PredictedDowntimeMs,
    long? PredictedBytes,
    string AcceptPath,
    IReadOnlyDictionary<string, string>? AcceptBody);
