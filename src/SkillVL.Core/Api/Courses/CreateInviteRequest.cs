namespace SkillVL.Core.Api.Courses;

/// <param name="ExpiresInHours">Default 168 (a week).</param>
/// <param name="MaxUses">Default 100.</param>
public sealed record CreateInviteRequest(int? ExpiresInHours = null, int? MaxUses = null);
