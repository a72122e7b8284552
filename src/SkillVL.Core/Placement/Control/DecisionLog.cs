namespace SkillVL.Core.Placement.Control;

/// <summary>
/// What the controller's decision log keeps (ADR 0030). A decision is kept when it acts or differs from the machine's
/// previous kept one (target, outcome, code): an evaluation every 30 s that holds the same machine for the same reason
/// would otherwise push everything else out. The log itself is stored by the Server (the <c>PlacementDecisions</c> table),
/// so the previous decisions come from there — also after a restart, and the same for every Server on one database.
/// </summary>
public static class DecisionLog
{
    /// <summary>True when <paramref name="decision"/> is worth keeping after <paramref name="previous"/>, the machine's
    /// previous kept decision (null: none).</summary>
    public static bool Keeps(PlacementDecision? previous, PlacementDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Outcome == DecisionOutcomes.Acted
            || previous is null
            || (previous.To, previous.Outcome, previous.Code) != (decision.To, decision.Outcome, decision.Code);
    }

    /// <summary>
    /// The decisions of <paramref name="decisions"/> (in the order made) worth keeping, each compared with the machine's
    /// previous kept one: from <paramref name="previous"/> (by machine id), or an earlier one of the same batch.
    /// </summary>
    public static IReadOnlyList<PlacementDecision> Kept(
        IReadOnlyDictionary<string, PlacementDecision> previous, IEnumerable<PlacementDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(decisions);
        var last = new Dictionary<string, PlacementDecision>(StringComparer.Ordinal);
        var kept = new List<PlacementDecision>();
        foreach (var decision in decisions)
        {
            var before = last.TryGetValue(decision.MachineId, out var earlier) ? earlier : previous.GetValueOrDefault(decision.MachineId);
            if (Keeps(before, decision))
            {
                last[decision.MachineId] = decision;
                kept.Add(decision);
            }
        }

        return kept;
    }
}
