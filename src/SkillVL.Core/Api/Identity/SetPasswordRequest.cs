namespace SkillVL.Core.Api.Identity;

/// <summary>An admin sets a local account's password; without one the Server generates it and returns it once.</summary>
public sealed record SetPasswordRequest(string? Password = null);
