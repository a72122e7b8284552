namespace SkillVL.Server.Reconciliation;

/// <summary>What one reconcile of one machine observed and did; written back to its row.</summary>
public sealed record MachineOutcome(
    string ObservedState,
    string? ObservedSpecHash,
    bool GuestReady,
    string? ConfiguredBootId,
    string? DesiredStateOverride,
    bool Failed,
    string? Error,
    IReadOnlyList<string> Events);
