namespace SkillVL.Core.Api.Identity;

/// <summary>Adds a local account. Without a password the Server generates one and returns it once.</summary>
public sealed record CreateUserRequest(string? Username, string? Role, string? Password = null, string? DisplayName = null);
