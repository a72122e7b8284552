namespace SkillVL.Core.Api.Placements;

/// <summary>One machine of <c>POST /api/v1/nodes/{node}/evacuate</c> (ADR 0030): the migration started, or why not.</summary>
/// <param name="Machine">"room/machine".</param>
/// <param name="MachineId">The machine's id.</param>
/// <param name="To">Where it goes; null when refused.</param>
/// <param name="MigrationId">The migration started; null when refused.</param>
/// <param name="Refused">Why it stays (pinned, no node with room, the migration engine's answer); null when it moves.</param>
public sealed record EvacuationEntry(string Machine, string MachineId, string? To, string? MigrationId, string? Refused);
