namespace SkillVL.Core.Api.Identity;

/// <summary>The new user, and the generated password when none was given (shown only this once).</summary>
public sealed record CreatedUser(UserInfo User, string? InitialPassword);
