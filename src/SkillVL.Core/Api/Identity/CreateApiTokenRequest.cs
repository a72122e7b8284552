namespace SkillVL.Core.Api.Identity;

/// <param name="Scopes">Default ["read", "write"].</param>
/// <param name="ExpiresInDays">Null: never expires.</param>
public sealed record CreateApiTokenRequest(string? Name, IReadOnlyList<string>? Scopes = null, int? ExpiresInDays = null);
