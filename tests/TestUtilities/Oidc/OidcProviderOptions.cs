namespace SkillVL.TestUtilities.Oidc;

/// <summary>How <see cref="OidcProviderServer"/> starts the test OIDC provider (tests/oidc-provider/server.mjs).</summary>
public sealed record OidcProviderOptions
{
    /// <summary>The users who can log in at the provider's form.</summary>
    public IReadOnlyList<OidcTestUser> Users { get; init; } = [];

    /// <summary>Access (and id) token lifetime; whole seconds, at least one. Default 5 min, Keycloak's default.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The one client: public, authorization code with PKCE S256 required.</summary>
    public string ClientId { get; init; } = "skillvl-web";

    /// <summary>The client's only registered redirect URI; the fixture never connects to it.</summary>
    public Uri RedirectUri { get; init; } = new("http://127.0.0.1:8080/oidc/callback");

    /// <summary>The access tokens' <c>aud</c>.</summary>
    public string Audience { get; init; } = "skillvl";

    /// <summary>Loopback port; 0 picks a free one (kept across <see cref="OidcProviderServer.RotateKeysAsync"/>).</summary>
    public int Port { get; init; }

    /// <summary>How long a start (node boot, oidc-provider init) may take.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
