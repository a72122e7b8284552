using SkillVL.Server.Data;

namespace SkillVL.Server.Identity;

/// <summary>The user when the password was right; <see cref="RetryAfter"/> when the attempt was not even checked.</summary>
public sealed record PasswordCheckResult(UserEntity? User, TimeSpan? RetryAfter);
