namespace SkillVL.Core.Api.Checks;

/// <summary>A room's latest check run in one line, for a teacher's list of instances: passed of total, and when.</summary>
public sealed record CheckSummary(int Passed, int Total, DateTimeOffset At);
