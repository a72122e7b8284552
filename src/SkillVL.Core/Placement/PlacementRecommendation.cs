namespace SkillVL.Core.Placement;

/// <summary>
/// One suggested move, or one that was considered and does not pay (<see cref="Recommended"/> false, the reason says
/// why). Accepting it is the existing <c>POST /api/migrations</c> with <see cref="Machine"/> and <see cref="To"/>.
/// </summary>
/// <param name="Machine">"room/machine".</param>
/// <param name="MachineId">The machine's id.</param>
/// <param name="From">Where it runs.</param>
/// <param name="To">Where it would go.</param>
/// <param name="Kind">One of <see cref="PlacementKinds"/>.</param>
/// <param name="Recommended">Whether the move pays.</param>
/// <param name="Reason">Why, in words, with the numbers.</param>
/// <param name="ConsoleBefore">The owner's console round trip where it runs, if measured.</param>
/// <param name="ConsoleAfter">The round trip expected after the move, if known.</param>
/// <param name="SourceCpu">The source's CPU use, 0–1, if reported.</param>
/// <param name="TargetCpu">The target's CPU use, 0–1, if reported.</param>
/// <param name="PredictedTime">The model's time for the move (ADR 0009).</param>
/// <param name="PredictedDowntime">The pause the guest would see.</param>
/// <param name="PredictedBytes">Bytes on the link.</param>
/// <param name="ForDeparture">The source is a client that announced its departure: the move brings the machine back
/// before it goes, which the controller does without waiting for a person or the hysteresis (ADR 0063).</param>
public sealed record PlacementRecommendation(
    string Machine,
    string MachineId,
    string From,
    string To,
    string Kind,
    bool Recommended,
    string Reason,
    TimeSpan? ConsoleBefore = null,
    TimeSpan? ConsoleAfter = null,
    double? SourceCpu = null,
    double? TargetCpu = null,
    TimeSpan? PredictedTime = null,
    TimeSpan? PredictedDowntime = null,
    long? PredictedBytes = null,
    bool ForDeparture = false);
