namespace SkillVL.Core.Placement.Control;

/// <summary>What the controller knows of a machine besides the advice about it (ADR 0030).</summary>
/// <param name="MachineId">The machine's id.</param>
/// <param name="PinnedNode">The room's <c>node:</c> for it: a pinned machine is never moved — the room wins.</param>
/// <param name="Policy">The policy that applies to it.</param>
/// <param name="LastMovedAt">When its latest move ended, if it moved: the minimum stay counts from there.</param>
public sealed record ControlledMachine(string MachineId, string? PinnedNode, EffectivePlacementPolicy Policy, DateTimeOffset? LastMovedAt);
