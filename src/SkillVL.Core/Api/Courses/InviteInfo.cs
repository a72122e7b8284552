namespace SkillVL.Core.Api.Courses;

/// <summary>An invite code students redeem to enrol themselves.</summary>
public sealed record InviteInfo(string Code, string Course, DateTimeOffset ExpiresAt, int UsesLeft);
