using SkillVL.Server.Quotas;

namespace SkillVL.Server.Apis.Snapshots;

/// <summary>What a snapshot call came to: <paramref name="Value"/>, or why not as the HTTP status it answers with.</summary>
/// <param name="Status">0 on success; 400 (with <paramref name="Field"/>), 404, 409, 422 (<paramref name="Quota"/>), 502, 503.</param>
public sealed record SnapshotOutcome<T>(T? Value, int Status = 0, string? Detail = null, string? Field = null, QuotaViolation? Quota = null);
