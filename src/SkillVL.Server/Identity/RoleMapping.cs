namespace SkillVL.Server.Identity;

/// <param name="Role">The platform role, or null when no value mapped.</param>
/// <param name="Seen">Every value found under the configured claim paths.</param>
public sealed record RoleMapping(string? Role, IReadOnlyList<string> Seen);
