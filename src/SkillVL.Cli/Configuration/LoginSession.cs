namespace SkillVL.Cli.Configuration;

/// <summary>A token that came from a config file written by <c>skillvl login</c>, renewable with its refresh token.</summary>
/// <param name="ConfigPath">The file the token was read from, where a renewed one is saved.</param>
internal sealed record LoginSession(string ConfigPath, SavedOidcLogin Oidc);
