namespace SkillVL.Core.Api.Identity;

/// <summary>An admin sets another user's platform role (one of <see cref="PlatformRoles.All"/>).</summary>
public sealed record SetRoleRequest(string? Role);
