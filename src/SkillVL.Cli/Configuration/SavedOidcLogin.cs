namespace SkillVL.Cli.Configuration;

/// <summary>
/// What <c>skillvl login</c> keeps beside an OIDC access token (the file's <c>token</c>) so that the CLI can
/// renew it at the issuer's token endpoint without asking the user again.
/// </summary>
/// <param name="ExpiresAt">When the access token expires; null when the issuer did not say.</param>
internal sealed record SavedOidcLogin(
    string? Issuer,
    string? TokenEndpoint,
    string? ClientId,
    string? RefreshToken,
    DateTimeOffset? ExpiresAt);
