namespace SkillVL.Core.Api.Courses;

public sealed record RedeemInviteRequest(string? Code);
