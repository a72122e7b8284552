namespace SkillVL.Core.Api.Identity;

/// <summary>A personal API token (never its secret, which is shown only when it is created).</summary>
/// <param name="Scopes">"read" (GET only) and/or "write".</param>
public sealed record ApiTokenInfo(
    string Id,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt);
