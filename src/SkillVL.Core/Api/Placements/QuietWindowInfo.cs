namespace SkillVL.Core.Api.Placements;

/// <summary>A time when nothing moves, [from, to) in UTC (ADR 0030).</summary>
public sealed record QuietWindowInfo(DateTimeOffset? From, DateTimeOffset? To);
