namespace SkillVL.Core.Api.Identity;

/// <summary>
/// What a client needs to log in (served without authentication): the issuer whose discovery document names the
/// endpoints, and the client ids for the web UI (authorization code + PKCE) and the CLI (device code).
/// </summary>
/// <param name="Mode">"embedded" (SkillVL's own issuer) or "external" (e.g. Keycloak).</param>
public sealed record AuthConfig(string Mode, string Issuer, string Audience, string WebClientId, string CliClientId, IReadOnlyList<string> Scopes);
