namespace SkillVL.Server.Consoles;

/// <summary>What a console ticket lets its holder open.</summary>
public sealed record ConsoleGrant(
    string UserId,
    string Username,
    string Role,
    string VmId,
    string Node,
    string Target,
    string Kind,
    bool Watch = false,
    DateTimeOffset ExpiresAt = default);
