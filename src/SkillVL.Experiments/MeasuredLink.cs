namespace SkillVL.Experiments;

/// <summary>The link a run's migration was planned with, as the Server reported it (<c>MigrationLinkInfo</c>).</summary>
/// <param name="Mbit">Bandwidth, Mbit/s.</param>
/// <param name="RttMs">Round-trip time, ms.</param>
/// <param name="Source">"measured" (the nodes' link probe), "request", "configured" or "default".</param>
public sealed record MeasuredLink(double Mbit, double RttMs, string Source);
