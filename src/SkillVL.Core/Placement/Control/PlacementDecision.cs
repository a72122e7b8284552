namespace SkillVL.Core.Placement.Control;

/// <summary>One entry of the controller's decision log (ADR 0030).</summary>
/// <param name="At">When it was decided.</param>
/// <param name="Machine">"room/machine".</param>
/// <param name="MachineId">The machine's id.</param>
/// <param name="From">Where it runs.</param>
/// <param name="To">Where the advisor would move it.</param>
/// <param name="Kind">One of <see cref="PlacementKinds"/>.</param>
/// <param name="Outcome">One of the outcomes in <see cref="DecisionOutcomes"/>.</param>
/// <param name="Code">Why, as a code (<see cref="DecisionOutcomes"/>).</param>
/// <param name="Reason">Why, in words: the policy's, then the advisor's.</param>
/// <param name="MigrationId">The migration started, when it acted.</param>
public sealed record PlacementDecision(
    DateTimeOffset At,
    string Machine,
    string MachineId,
    string From,
    string To,
    string Kind,
    string Outcome,
    string Code,
    string Reason,
    string? MigrationId = null);
