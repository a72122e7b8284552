using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Placements;
using SkillVL.Core.Placement.Control;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;
using SkillVL.Server.Recommendations;

namespace SkillVL.Server.PlacementControl;

/// <summary>
/// Accepting a suggestion (ADR 0030): the advisor is asked again, as the caller, and the move is started only if it is
/// still recommended and the machine's policy still lets it move (not off, no quiet window); otherwise the answer is a
/// 409 with the reason the situation changed. The move itself is <see cref="PlacementControllerService.ActAsync"/>, as
/// the caller — the migration engine's own checks apply — and the decision goes to the controller's log.
/// </summary>
public sealed class RecommendationAcceptance(
    RecommendationService recommendations,
    PlacementPolicyService policies,
    MigrationService migrations,
    PlacementControllerService controller,
    PlacementDecisionStore decisionLog,
    SkillVlDbContext db,
    TimeProvider time)
{
    /// <summary>What came of it: the migration, or the fields (400), or why it no longer holds (409).</summary>
    public sealed record Result(MigrationEntity? Started = null, IReadOnlyList<ValidationError>? Errors = null, string? Changed = null);

    public async Task<Result> AcceptAsync(CurrentUser caller, AcceptRecommendationRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(request.Machine))
        {
            errors.Add(new("machine", "name the machine: its id or room/machine, as the recommendation gives it"));
        }

        if (string.IsNullOrWhiteSpace(request.To))
        {
            errors.Add(new("to", "name the node the recommendation moves it to"));
        }

        if (errors.Count > 0)
        {
            return new(Errors: errors);
        }

        var machine = request.Machine!.Trim();
        var to = request.To!.Trim();
        var advised = await recommendations.AdviseAsync(caller, cancellationToken);
        var about = advised.Advice.Where(a => a.MachineId == machine || a.Machine == machine).ToList();
        var candidate = advised.Candidates.Values.FirstOrDefault(c => c.MachineId == machine || c.Machine == machine);
        if (candidate is null)
        {
            // Also what a machine the caller cannot see gets: nothing about it is told.
            return new(Changed: $"the situation changed: {machine} is not a running machine of yours that could move now (stopped, moving already, or unknown)");
        }

        var entry = about.FirstOrDefault(a => a.To == to);
        if (entry is not { Recommended: true })
        {
            var now = about.FirstOrDefault(a => a.Recommended);
            return new(Changed: "the situation changed: " + (entry?.Reason
                ?? (now is null ? $"no move of {candidate.Machine} is recommended now" : $"now {candidate.Machine} is better moved to {now.To}: {now.Reason}")));
        }

        var room = advised.Rooms[candidate.MachineId];
        var policy = (await policies.ResolverAsync(cancellationToken))(room);
        var at = time.GetUtcNow();
        if (policy.Mode == PlacementModes.Off)
        {
            return new(Changed: $"placement is off for {candidate.Machine} (set on the {policy.ModeFrom})");
        }

        if (policy.Windows.FirstOrDefault(w => w.Contains(at)) is { } window)
        {
            return new(Changed: $"nothing moves until {window.To.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} (a quiet window)");
        }

        var decision = new PlacementDecision(
            at, entry.Machine, entry.MachineId, entry.From, entry.To, entry.Kind, DecisionOutcomes.Acted, DecisionOutcomes.CodeAccepted,
            $"accepted by {caller.Username} — {entry.Reason}");
        var final = await controller.ActAsync(migrations, caller, decision, room, cancellationToken);
        await decisionLog.AddAsync([final], cancellationToken);
        if (final.MigrationId is null)
        {
            return new(Changed: final.Reason);
        }

        return new(Started: await db.Migrations.AsNoTracking().Include(m => m.Log).SingleAsync(m => m.Id == final.MigrationId, cancellationToken));
    }
}
