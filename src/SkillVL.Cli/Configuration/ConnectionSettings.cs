namespace SkillVL.Cli.Configuration;

/// <summary>Where the server is and how to authenticate to it.</summary>
/// <param name="Server">Base URL, e.g. http://127.0.0.1:8080/.</param>
/// <param name="Token">Bearer token; none when no source named one (the server then answers 401 if it needs one).</param>
/// <param name="Session">Set when <paramref name="Token"/> is an OIDC access token saved by <c>skillvl login</c>.</param>
internal sealed record ConnectionSettings(Uri Server, string? Token, LoginSession? Session = null);
