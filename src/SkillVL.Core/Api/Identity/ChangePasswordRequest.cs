namespace SkillVL.Core.Api.Identity;

/// <summary>A local account changes its own password.</summary>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
