using SkillVL.Server.Data;

namespace SkillVL.Server.Identity;

/// <summary>
/// The user when the password was right; <see cref="RetryAfter"/> when the attempt was not even checked;
/// <see cref="Disabled"/> when the password was right but an admin disabled the account (ADR 0043).
/// </summary>
public sealed record PasswordCheckResult(UserEntity? User, TimeSpan? RetryAfter, bool Disabled = false);
