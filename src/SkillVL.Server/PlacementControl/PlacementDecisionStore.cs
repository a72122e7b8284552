using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Placement.Control;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.PlacementControl;

/// <summary>
/// The controller's decision log in the database (<c>PlacementDecisions</c>; ADR 0030, amended 2026-12-07): it survives a
/// restart and every Server on one database reads and extends the same log. What is kept is
/// <see cref="DecisionLog.Kept"/>'s rule, each decision compared with its machine's latest stored one; at most
/// <see cref="PlacementOptions.DecisionLogSize"/> rows stay.
/// </summary>
public sealed class PlacementDecisionStore(IDbContextFactory<SkillVlDbContext> databases, IOptions<SkillVlServerOptions> options)
{
    /// <summary>How many decisions are kept.</summary>
    public int Capacity => options.Value.Placement.DecisionLogSize;

    /// <summary>Stores those of <paramref name="decisions"/> (in the order made) that do not repeat their machine's
    /// previous decision, and prunes the oldest beyond <see cref="Capacity"/>; the decisions stored.</summary>
    public async Task<IReadOnlyList<PlacementDecision>> AddAsync(IReadOnlyCollection<PlacementDecision> decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        if (decisions.Count == 0)
        {
            return [];
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var machines = decisions.Select(d => d.MachineId).Distinct(StringComparer.Ordinal).ToList();
        // Read outside the write transaction: mostly every decision repeats (a machine held for the same reason every 30 s)
        // and nothing is written at all. The evaluations of one Server run one at a time, and the other writer, an accepted
        // suggestion, always acts and is kept whatever came before; two Servers evaluating at once could both keep a
        // repeat, a duplicate line and nothing worse.
        var previous = (await db.PlacementDecisions.AsNoTracking()
                .Where(d => machines.Contains(d.MachineId))
                .GroupBy(d => d.MachineId)
                .Select(g => g.OrderByDescending(d => d.At).ThenByDescending(d => d.Id).First())
                .ToListAsync(cancellationToken))
            .ToDictionary(e => e.MachineId, e => e.ToDecision(), StringComparer.Ordinal);
        var kept = DecisionLog.Kept(previous, decisions);
        if (kept.Count == 0)
        {
            return kept;
        }

        // Pruned in the same transaction as the insert, not by a timer: the table never holds more than the bound (a smaller
        // DecisionLogSize takes effect at the next write), and a prune costs only when something was written — the
        // (At, Id) index finds the rows past the bound without reading the others.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.PlacementDecisions.AddRange(kept.Select(PlacementDecisionEntity.Of));
        await db.SaveChangesAsync(cancellationToken);
        await db.PlacementDecisions.OrderByDescending(d => d.At).ThenByDescending(d => d.Id).Skip(Capacity).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return kept;
    }

    /// <summary>The newest <paramref name="limit"/> decisions (at most <see cref="Capacity"/>), newest first.</summary>
    public async Task<IReadOnlyList<PlacementDecision>> RecentAsync(int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.PlacementDecisions.AsNoTracking()
            .OrderByDescending(d => d.At).ThenByDescending(d => d.Id)
            .Take(Math.Clamp(limit, 0, Capacity))
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(r => r.ToDecision());
    }
}
