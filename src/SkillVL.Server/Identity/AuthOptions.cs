namespace SkillVL.Server.Identity;

/// <summary>Section "SkillVL:Auth". See docs/deploy/keycloak.md for the external mode.</summary>
public sealed class AuthOptions
{
    public const string Embedded = "embedded";
    public const string ExternalMode = "external";

    /// <summary>"embedded" (SkillVL's own OpenIddict issuer with local accounts) or "external".</summary>
    public string Mode { get; set; } = Embedded;

    /// <summary>
    /// The embedded issuer's URL as clients reach it (it is also the tokens' "iss"). Empty: the Listen URL.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The audience access tokens must carry ("aud"). Embedded tokens carry it as their resource.</summary>
    public string Audience { get; set; } = "skillvl";

    /// <summary>Client id of the web UI (authorization code + PKCE).</summary>
    public string WebClientId { get; set; } = "skillvl-web";

    /// <summary>Client id of the CLI (device authorization grant).</summary>
    public string CliClientId { get; set; } = "skillvl-cli";

    /// <summary>Redirect URIs the embedded issuer accepts for the web client. Empty: {issuer}/oidc/callback.</summary>
    public List<string> WebRedirectUris { get; set; } = [];

    /// <summary>Lifetime of access tokens the embedded issuer issues. Default 1 h.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of refresh tokens. Default 14 days.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Tolerance for clock differences when checking exp/nbf. Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Minimum time between two refetches of the issuer's signing keys when a token names an unknown key id
    /// (key rotation). Default 5 min.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest a personal API token may live. A token asked for without an expiry gets this one (or its
    /// parent token's expiry, when that comes sooner); a request for longer is refused. Default 90 days.
    /// </summary>
    public TimeSpan MaxApiTokenLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Backoff after wrong passwords at the login page, the device approval page and /me/password.</summary>
    public LoginThrottleOptions LoginThrottle { get; set; } = new();

    public ExternalIdpOptions External { get; set; } = new();
}
