namespace SkillVL.Experiments;

/// <summary>
/// The design's cells and the order of their runs. Runs are shuffled with a seeded generator (Fisher–Yates over
/// <see cref="Random"/>(seed)), so a slow drift of the machine (heat, a neighbour's load) spreads over all cells
/// instead of biasing those run last, and the same spec and seed give the same order again.
/// </summary>
public static class DesignExpander
{
    /// <summary>Every combination of the factors' levels, the last factor varying fastest.</summary>
    public static IReadOnlyList<ExperimentCell> Full(IReadOnlyDictionary<string, List<string>> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        IEnumerable<string[]> combinations = [[]];
        foreach (var factor in Factor.All)
        {
            var choices = levels.TryGetValue(factor.Name, out var l) && l.Count > 0 ? l : [factor.Default];
            combinations = combinations.SelectMany(prefix => choices.Select(choice => (string[])[.. prefix, choice]));
        }

        return combinations.Select(c => new ExperimentCell(c)).ToList();
    }

    /// <summary>Every run (cell × repetition 1..N) in the seeded random order.</summary>
    public static IReadOnlyList<PlannedRun> Order(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var runs = spec.Cells.SelectMany(cell => Enumerable.Range(1, spec.Repetitions).Select(r => new PlannedRun(cell, r))).ToArray();
        var random = new Random(spec.Seed);
        for (var i = runs.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (runs[i], runs[j]) = (runs[j], runs[i]);
        }

        return runs;
    }
}
