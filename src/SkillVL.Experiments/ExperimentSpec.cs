namespace SkillVL.Experiments;

/// <summary>
/// A parsed and checked experiment (<see cref="ExperimentSpecParser"/>): the cells of its design, how often each runs
/// and the seed of the run order, and where it runs: a testbed the runner creates, or two nodes of an existing Server.
/// </summary>
public sealed record ExperimentSpec
{
    public required string Name { get; init; }

    /// <summary>"testbed": the runner creates one on this machine; "nodes": <see cref="Nodes"/>.</summary>
    public required string Where { get; init; }

    /// <summary>The existing nodes and template (<c>where: nodes</c>); null on a testbed.</summary>
    public ExistingNodes? Nodes { get; init; }

    public required int Repetitions { get; init; }

    public required int Seed { get; init; }

    /// <summary>"full" (every combination of the factors' levels) or "list" (the cells the spec lists).</summary>
    public required string Design { get; init; }

    /// <summary>The factors with more than one level (full design) or that the listed cells vary: the report's axes.</summary>
    public required IReadOnlyList<string> Varied { get; init; }

    public required IReadOnlyList<ExperimentCell> Cells { get; init; }
}
