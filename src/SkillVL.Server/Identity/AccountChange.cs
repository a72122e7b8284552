using SkillVL.Server.Data;

namespace SkillVL.Server.Identity;

/// <summary>
/// What came of a role change, a disable or an enable (<see cref="UserAccounts"/>): the user as it is now, or why
/// nothing changed — <see cref="Forbidden"/> (the caller is no longer an enabled admin) or <see cref="Conflict"/> (a
/// rule about oneself, the last admin or an external account).
/// </summary>
public sealed record AccountChange(UserEntity? User, string? Forbidden = null, string? Conflict = null)
{
    public static AccountChange Refused(string conflict) => new(null, Conflict: conflict);
}
