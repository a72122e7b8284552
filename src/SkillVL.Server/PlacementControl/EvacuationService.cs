using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Api.Placements;
using SkillVL.Core.Placement.Control;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;
using SkillVL.Server.Recommendations;

namespace SkillVL.Server.PlacementControl;

/// <summary>
/// Empties a node (<c>skillvl node drain NODE --evacuate</c>, ADR 0030): every running machine there that is not moving
/// already is sent, by <see cref="EvacuationPlanner"/>, to the least busy node with room, through
/// <see cref="MigrationService"/> as the admin who asked (a checked-out machine by a check-in). Not bound by the
/// controller's limits: it is an admin's explicit order. Each machine is answered: its migration, or why it stays.
/// </summary>
public sealed class EvacuationService(RecommendationService recommendations, MigrationService migrations)
{
    /// <summary>The entries, or null when the node is unknown.</summary>
    public async Task<IReadOnlyList<EvacuationEntry>?> EvacuateAsync(CurrentUser caller, string node, CancellationToken cancellationToken)
    {
        var advised = await recommendations.AdviseAsync(caller, cancellationToken);
        if (advised.Nodes.All(n => n.Name != node))
        {
            return null;
        }

        var here = advised.Candidates.Values.Where(c => c.Node == node).ToList();
        var entries = new List<EvacuationEntry>();
        foreach (var move in EvacuationPlanner.Plan(node, here, advised.Nodes))
        {
            var machine = move.Machine;
            if (move.To is not { } to)
            {
                entries.Add(new(machine.Machine, machine.MachineId, null, null, move.Refused));
                continue;
            }

            var purpose = machine.OnlyTo is not null ? CheckoutRules.Checkin : null;
            var result = await migrations.CreateAsync(caller, new CreateMigrationRequest(machine.MachineId, to), purpose, cancellationToken);
            entries.Add(result.Created is { } created
                ? new(machine.Machine, machine.MachineId, to, created.Id, null)
                : new(machine.Machine, machine.MachineId, to, null, "the migration engine refused it: " + (result.Conflict ?? result.NotFound ?? result.Forbidden?.Message
                    ?? string.Join("; ", (result.Errors ?? []).Select(e => $"{e.Field}: {e.Message}")))));
        }

        return entries;
    }
}
