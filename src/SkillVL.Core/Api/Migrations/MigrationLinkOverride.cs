namespace SkillVL.Core.Api.Migrations;

/// <summary>The link between source and target as the caller knows it ("50Mbit", "40ms", loss 0.001 = 0.1 %).</summary>
public sealed record MigrationLinkOverride(string? Bandwidth, string? Rtt, double? Loss = null);
