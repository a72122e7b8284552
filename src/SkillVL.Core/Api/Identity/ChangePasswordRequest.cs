namespace SkillVL.Core.Api.Identity;

/// <summary>A local account changes its own password. Every session of the account ends (login cookies, access and refresh tokens).</summary>
/// <param name="RevokeApiTokens">Also revoke all the account's personal API tokens (default: keep them).</param>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword, bool RevokeApiTokens = false);
