namespace SkillVL.Experiments;

/// <summary>What a call of <see cref="ExperimentRunner.RunAsync"/> did: runs carried out now, runs found done.</summary>
public sealed record RunSummary(int Ran, int Skipped);
