using SkillVL.Core.Migration;
using static SkillVL.Core.Migration.MigrationText;

namespace SkillVL.Core.Placement;

/// <summary>
/// Where running machines would be better off, as a pure function of the signals (issue 14, Deliver 2; ADR 0027). A
/// move is considered when it has a motive — the source client is leaving, the source is hot, or the owner's console
/// would get markedly faster — and then judged: a pin, an unready or hot target, and
/// <see cref="MigrationPolicy.WorthMoving"/> (room, link, convergence, time, pause; ADR 0009) can each stop it, and so
/// can a move that takes too much of the time left. Without a motive a move is absent; with one it is returned, as a
/// recommendation or as "not recommended" with the reason. It only suggests: carrying a move out is the migration API's.
/// </summary>
public static class PlacementAdvisor
{
    /// <summary>
    /// The moves worth making, best first, then those considered that do not pay. A machine gets at most one
    /// recommendation (its best target); when none pays, every target considered is listed with its reason.
    /// </summary>
    public static IReadOnlyList<PlacementRecommendation> Advise(PlacementInput input, PlacementCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(criteria);
        var nodes = input.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var ranked = new List<Ranked>();
        foreach (var candidate in input.Candidates)
        {
            // Nothing leaves a node whose agent is away: the migration would need it.
            if (!nodes.TryGetValue(candidate.Node, out var source) || !source.Online)
            {
                continue;
            }

            var considered = new List<Ranked>();
            foreach (var target in input.Nodes)
            {
                // Another user's computer never takes the machine, so it is not even named; client → client is not a
                // move the platform makes (a check-out goes from a server).
                if (target.Name == source.Name || (target.IsClient && (target.OwnerId != candidate.OwnerId || source.IsClient))
                    || (candidate.OnlyTo is { } only && target.Name != only))
                {
                    continue;
                }

                if (Consider(input, criteria, candidate, source, target) is { } judged)
                {
                    considered.Add(judged);
                }
            }

            var best = considered.Where(r => r.Recommendation.Recommended).OrderBy(r => r, RankOrder.Instance).FirstOrDefault();
            if (best is not null)
            {
                ranked.Add(best);
            }
            else
            {
                ranked.AddRange(considered);
            }
        }

        return ranked.OrderBy(r => r, RankOrder.Instance).Select(r => r.Recommendation).ToList();
    }

    private static Ranked? Consider(PlacementInput input, PlacementCriteria criteria, PlacementCandidate candidate, PlacementNode source, PlacementNode target)
    {
        var kind = target.IsClient ? PlacementKinds.VerticalToClient : source.IsClient ? PlacementKinds.VerticalToServer : PlacementKinds.Horizontal;
        var before = input.ConsoleRoundTrip(candidate.OwnerId, source.Name);
        var after = target.IsClient ? criteria.LocalConsoleRoundTrip : input.ConsoleRoundTrip(candidate.OwnerId, target.Name);
        var consoleGain = before is { } b && after is { } a ? b - a : (TimeSpan?)null;

        var leaving = source.IsClient && source.DepartsIn is not null;
        var hot = source.CpuUtilization >= criteria.HotCpu;
        var faster = consoleGain >= criteria.MinConsoleGain;
        if (!leaving && !hot && !faster)
        {
            return null;
        }

        var motives = new List<string>();
        if (leaving)
        {
            motives.Add($"{source.Name} leaves in {Duration(source.DepartsIn!.Value)}, so its machines go back to a server before it goes");
        }

        if (hot)
        {
            motives.Add($"{source.Name} is hot ({Percent(source.CpuUtilization!.Value)} CPU)");
        }

        if (faster)
        {
            motives.Add($"the owner's console round trip would go from {Duration(before!.Value)} to {Duration(after!.Value)}");
        }

        var why = string.Join("; ", motives);
        var result = new PlacementRecommendation(
            candidate.Machine, candidate.MachineId, source.Name, target.Name, kind, false, "",
            before, after, source.CpuUtilization, target.CpuUtilization, ForDeparture: leaving);
        var priority = leaving ? 3 : hot ? 2 : 1;
        var gain = leaving || hot ? (source.CpuUtilization ?? 0) - (target.CpuUtilization ?? 0) : consoleGain!.Value.TotalMilliseconds;
        Ranked No(string blocker, PlacementRecommendation? judged = null) =>
            new((judged ?? result) with { Reason = $"not recommended: it would help ({why}), but {blocker}" }, priority, gain);

        if (candidate.PinnedNode is { } pin)
        {
            return No($"the room pins it to node {pin} (node: {pin}), and the room's pin wins over the advisor");
        }

        if (!target.Online || target.Drained)
        {
            return No($"{target.Name} is {(target.Online ? "drained" : "not connected")}");
        }

        if (target.DepartsIn is { } departs)
        {
            return No($"{target.Name} is leaving in {Duration(departs)}");
        }

        if (target.CpuUtilization >= criteria.HotCpu)
        {
            return No($"{target.Name} is busy too ({Percent(target.CpuUtilization!.Value)} CPU)");
        }

        if (input.Link(source.Name, target.Name) is not { } link)
        {
            return No($"no link between {source.Name} and {target.Name} is known, so the move's cost cannot be predicted");
        }

        // The load-relief rule of WorthMoving is for moves made for the load; a move for the console or for a departure
        // need not relieve anything (the target was checked not to be hot above).
        var move = hot && !leaving && !faster ? criteria.Move : criteria.Move with { MinLoadRelief = -1 };
        MoveVerdict verdict;
        try
        {
            verdict = MigrationPolicy.WorthMoving(
                link, candidate.Profile,
                new NodeLoad(source.CpuUtilization ?? 0, source.FreeMemoryBytes),
                new NodeLoad(target.CpuUtilization ?? 0, target.FreeMemoryBytes),
                move, criteria.Features);
        }
        catch (ArgumentException e)
        {
            return No($"its cost cannot be predicted: {e.Message}");
        }

        var prediction = verdict.Parameters.Prediction;
        var costed = prediction.Converges
            ? result with { PredictedTime = prediction.TotalTime, PredictedDowntime = prediction.Downtime, PredictedBytes = prediction.TotalBytes }
            : result;
        if (!verdict.Move)
        {
            return No(verdict.Reason, costed);
        }

        if (leaving && prediction.TotalTime > source.DepartsIn)
        {
            return No($"the move takes about {Duration(prediction.TotalTime)} and {source.Name} leaves in {Duration(source.DepartsIn!.Value)}", costed);
        }

        if (candidate.SessionLeft is { } left && prediction.TotalTime > left * criteria.MaxShareOfSessionLeft)
        {
            return No($"only {Duration(left)} of the session is left and the move takes about {Duration(prediction.TotalTime)}, " +
                $"more than {Percent(criteria.MaxShareOfSessionLeft)} of it", costed);
        }

        var cost = $"moves {Bytes(prediction.TotalBytes)} in about {Duration(prediction.TotalTime)}, pausing the guest about {Duration(prediction.Downtime)}";
        return new(costed with { Recommended = true, Reason = $"{why}; {cost}" }, priority, gain);
    }

    /// <summary>A judged move with what ranks it: the motive (leaving 3, hot 2, console 1) and its size.</summary>
    private sealed record Ranked(PlacementRecommendation Recommendation, int Priority, double Gain);

    /// <summary>Recommended first; then the stronger motive, the bigger gain, the shorter move; then by name, so the
    /// order is the same for the same signals.</summary>
    private sealed class RankOrder : IComparer<Ranked>
    {
        public static readonly RankOrder Instance = new();

        public int Compare(Ranked? x, Ranked? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            int c;
            if ((c = y.Recommendation.Recommended.CompareTo(x.Recommendation.Recommended)) != 0
                || (c = y.Priority.CompareTo(x.Priority)) != 0
                || (c = y.Gain.CompareTo(x.Gain)) != 0
                || (c = (x.Recommendation.PredictedTime ?? TimeSpan.MaxValue).CompareTo(y.Recommendation.PredictedTime ?? TimeSpan.MaxValue)) != 0
                || (c = string.CompareOrdinal(x.Recommendation.Machine, y.Recommendation.Machine)) != 0)
            {
                return c;
            }

            return string.CompareOrdinal(x.Recommendation.To, y.Recommendation.To);
        }
    }
}
