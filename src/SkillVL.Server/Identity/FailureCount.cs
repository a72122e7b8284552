namespace SkillVL.Server.Identity;

/// <summary>Failures since the count was last forgotten, and when the last one happened.</summary>
public readonly record struct FailureCount(int Failures, DateTimeOffset LastFailure);
