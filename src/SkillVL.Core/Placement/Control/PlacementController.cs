using System.Globalization;

namespace SkillVL.Core.Placement.Control;

/// <summary>
/// Applies policy to the advisor's recommendations, one evaluation at a time (issue 14, Deliver 3; ADR 0030). Pure: the
/// Server feeds it the advice, the machines' policies and the moves under way, carries out the decisions that say
/// <see cref="DecisionOutcomes.Acted"/> through the migration engine, and logs them. The one state kept between
/// evaluations is the hysteresis: how many evaluations in a row each (machine, target) has been recommended; an
/// evaluation without it starts the count again, so a signal that flips back and forth never counts.
/// In order, first hit decides: off; a pin (the room wins); a quiet window; the hysteresis; the minimum stay; then suggest
/// surfaces it, and auto acts unless a node's or the link's limit of moves under way is reached. A move off a client that
/// announced its departure skips the hysteresis, the minimum stay and suggest (ADR 0063).
/// </summary>
public sealed class PlacementController
{
    private Dictionary<(string MachineId, string To), int> _streaks = [];

    /// <summary>The decisions of one evaluation at <paramref name="now"/>, in the advisor's order (best first).</summary>
    /// <param name="now">The evaluation's time.</param>
    /// <param name="advice">The advisor's answer for every machine considered.</param>
    /// <param name="machines">Each machine's pin, policy and last move, by id; a machine missing here is not decided on.</param>
    /// <param name="underWay">The migrations running or waiting now.</param>
    public IReadOnlyList<PlacementDecision> Evaluate(
        DateTimeOffset now,
        IReadOnlyList<PlacementRecommendation> advice,
        IReadOnlyDictionary<string, ControlledMachine> machines,
        IReadOnlyList<MoveUnderWay> underWay)
    {
        ArgumentNullException.ThrowIfNull(advice);
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(underWay);
        var streaks = new Dictionary<(string, string), int>();
        foreach (var entry in advice.Where(a => a.Recommended))
        {
            streaks[(entry.MachineId, entry.To)] = _streaks.GetValueOrDefault((entry.MachineId, entry.To)) + 1;
        }

        _streaks = streaks;
        var perNode = underWay.SelectMany(m => new[] { m.From, m.To }).GroupBy(n => n, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var perLink = underWay.GroupBy(m => Link(m.From, m.To)).ToDictionary(g => g.Key, g => g.Count());

        var decisions = new List<PlacementDecision>();
        var decided = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in advice)
        {
            if (!machines.TryGetValue(entry.MachineId, out var machine) || decided.Contains(entry.MachineId))
            {
                continue;
            }

            // A pinned machine has only "not recommended" advice (the advisor stops at the pin); it is logged once
            // per evaluation so the log says why it stays. Other advice that does not pay is the advisor's to show.
            if (!entry.Recommended && machine.PinnedNode is null)
            {
                continue;
            }

            decided.Add(entry.MachineId);
            var (outcome, code, why) = Decide(now, entry, machine, streaks.GetValueOrDefault((entry.MachineId, entry.To)), perNode, perLink);
            if (outcome == DecisionOutcomes.Acted)
            {
                perNode[entry.From] = perNode.GetValueOrDefault(entry.From) + 1;
                perNode[entry.To] = perNode.GetValueOrDefault(entry.To) + 1;
                perLink[Link(entry.From, entry.To)] = perLink.GetValueOrDefault(Link(entry.From, entry.To)) + 1;
                // Moved: the next recommendation for it starts counting anew.
                _streaks.Remove((entry.MachineId, entry.To));
            }

            decisions.Add(new PlacementDecision(
                now, entry.Machine, entry.MachineId, entry.From, entry.To, entry.Kind, outcome, code, why + " — " + entry.Reason));
        }

        return decisions;
    }

    /// <summary>Forgets the hysteresis count of <paramref name="machineId"/>'s moves (a person accepted or the move failed).</summary>
    public void Forget(string machineId) =>
        _streaks = _streaks.Where(s => s.Key.MachineId != machineId).ToDictionary(s => s.Key, s => s.Value);

    private static (string Outcome, string Code, string Why) Decide(
        DateTimeOffset now,
        PlacementRecommendation entry,
        ControlledMachine machine,
        int streak,
        Dictionary<string, int> perNode,
        Dictionary<(string, string), int> perLink)
    {
        var policy = machine.Policy;
        if (policy.Mode == PlacementModes.Off)
        {
            return (DecisionOutcomes.Off, DecisionOutcomes.CodeOff, $"policy off (set on the {policy.ModeFrom})");
        }

        if (machine.PinnedNode is { } pin)
        {
            return (DecisionOutcomes.Held, DecisionOutcomes.CodePinned, $"held: the room pins it to {pin} (node: wins over the advisor)");
        }

        if (policy.Windows.FirstOrDefault(w => w.Contains(now)) is { } window)
        {
            return (DecisionOutcomes.Held, DecisionOutcomes.CodeWindow, $"held: nothing moves until {Stamp(window.To)} (a quiet window)");
        }

        // An announced departure is not a signal that may flip back: the client's owner (or an admin) said it goes, and a
        // machine still there then goes offline with it. So neither a person's accept nor the hysteresis nor the minimum
        // stay is waited for; off, a pin and a quiet window (above) still hold, and the limits (below) still protect the
        // shared nodes (ADR 0063).
        var departure = entry.ForDeparture;
        if (!departure && streak < policy.HysteresisEvaluations)
        {
            return (DecisionOutcomes.Held, DecisionOutcomes.CodeHysteresis,
                Invariant($"held: recommended {streak} of the {policy.HysteresisEvaluations} evaluations in a row it must persist"));
        }

        if (!departure && machine.LastMovedAt is { } moved && now < moved + policy.MinStay)
        {
            return (DecisionOutcomes.Held, DecisionOutcomes.CodeMinStay,
                $"held: it moved at {Stamp(moved)} and stays at least until {Stamp(moved + policy.MinStay)}");
        }

        if (!departure && policy.Mode == PlacementModes.Suggest)
        {
            return (DecisionOutcomes.Suggested, DecisionOutcomes.CodeSuggest, $"suggested (policy suggest, set on the {policy.ModeFrom})");
        }

        foreach (var node in new[] { entry.From, entry.To })
        {
            if (perNode.GetValueOrDefault(node) >= policy.MaxMovesPerNode)
            {
                return (DecisionOutcomes.Held, DecisionOutcomes.CodeNodeLimit,
                    Invariant($"held: {perNode.GetValueOrDefault(node)} move(s) under way on {node}, at most {policy.MaxMovesPerNode} at once"));
            }
        }

        var link = perLink.GetValueOrDefault(Link(entry.From, entry.To));
        if (link >= policy.MaxMovesPerLink)
        {
            return (DecisionOutcomes.Held, DecisionOutcomes.CodeLinkLimit,
                Invariant($"held: {link} move(s) under way between {entry.From} and {entry.To}, at most {policy.MaxMovesPerLink} at once"));
        }

        return departure
            ? (DecisionOutcomes.Acted, DecisionOutcomes.CodeDeparture,
                $"moving: its client announced its departure, which moves it under {policy.Mode} (set on the {policy.ModeFrom}) without waiting")
            : (DecisionOutcomes.Acted, DecisionOutcomes.CodeAuto, $"moving (policy auto, set on the {policy.ModeFrom})");
    }

    /// <summary>A link counts both directions: the moves share its capacity.</summary>
    private static (string, string) Link(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
