namespace SkillVL.Core.Api.Identity;

/// <param name="Scopes">Default ["read", "write"]; a token made with an API token gets at most that token's scopes.</param>
/// <param name="ExpiresInDays">
/// Null: the longest allowed — the platform's maximum lifetime (default 90 days), or the expiry of the API token
/// making the request when that comes sooner. Longer is refused.
/// </param>
public sealed record CreateApiTokenRequest(string? Name, IReadOnlyList<string>? Scopes = null, int? ExpiresInDays = null);
