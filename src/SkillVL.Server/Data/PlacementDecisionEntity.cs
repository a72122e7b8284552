using SkillVL.Core.Placement.Control;

namespace SkillVL.Server.Data;

/// <summary>
/// One kept entry of the placement controller's decision log (ADR 0030, amended 2026-12-07): what it decided about a
/// machine and why. No foreign key to the machine: a decision about a machine deleted later stays, it is history (the
/// log is bounded by <c>DecisionLogSize</c> rows, not by the machines that still exist).
/// </summary>
public sealed class PlacementDecisionEntity
{
    /// <summary>The order kept, also among decisions of the same instant.</summary>
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>"room/machine" as it was named then.</summary>
    public required string Machine { get; set; }

    public required string MachineId { get; set; }

    public required string From { get; set; }

    public required string To { get; set; }

    public required string Kind { get; set; }

    public required string Outcome { get; set; }

    public required string Code { get; set; }

    public required string Reason { get; set; }

    public string? MigrationId { get; set; }

    public static PlacementDecisionEntity Of(PlacementDecision decision) => new()
    {
        At = decision.At,
        Machine = decision.Machine,
        MachineId = decision.MachineId,
        From = decision.From,
        To = decision.To,
        Kind = decision.Kind,
        Outcome = decision.Outcome,
        Code = decision.Code,
        Reason = decision.Reason,
        MigrationId = decision.MigrationId,
    };

    public PlacementDecision ToDecision() => new(At, Machine, MachineId, From, To, Kind, Outcome, Code, Reason, MigrationId);
}
