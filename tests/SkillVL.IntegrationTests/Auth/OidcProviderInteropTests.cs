using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SkillVL.TestUtilities.Oidc;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>
/// The test OIDC provider (npm's oidc-provider as a Keycloak look-alike, tests/oidc-provider) through its
/// fixture: real logins with authorization code + PKCE, Keycloak-shaped JWT access tokens that verify against
/// the provider's own JWKS, refused passwords, key rotation and token lifetime. Needs node and
/// tests/oidc-provider/install.sh; no VMs, no root.
/// </summary>
public sealed class OidcProviderInteropTests(ITestOutputHelper output)
{
    /// <summary>A start takes ~0.5 s and a login ~50 ms; the TTL test waits 3 s.</summary>
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    private static readonly OidcTestUser Teacher = new("tina", "tina-secret")
    {
        RealmRoles = ["skillvl-teacher"],
        ClientRoles = new Dictionary<string, IReadOnlyList<string>> { ["skillvl-web"] = ["lab-operator"] },
        Groups = ["/skillvl/students"],
    };

    [Fact]
    public async Task Login_IssuesKeycloakShapedAccessToken_ThatVerifiesAgainstTheProvidersJwks()
    {
        await WithProviderAsync(new OidcProviderOptions { Users = [Teacher] }, async (server, cancellationToken) =>
        {
            var accessToken = await server.GetAccessTokenAsync("tina", "tina-secret", cancellationToken);

            var validation = await ValidateAsync(server, accessToken, cancellationToken);
            Assert.True(validation.IsValid, validation.Exception?.ToString());

            var token = new JsonWebToken(accessToken);
            Assert.Equal("RS256", token.Alg);
            Assert.Equal("JWT", token.Typ);
            Assert.Equal(server.SigningKeyId, token.Kid);
            Assert.Equal(server.Issuer, token.Issuer);
            Assert.Equal(["skillvl"], token.Audiences);
            Assert.True(Guid.TryParse(token.Subject, out _), $"sub {token.Subject} is not a UUID as in Keycloak");

            using var payload = Payload(token);
            var claims = payload.RootElement;
            Assert.Equal("tina", claims.GetProperty("preferred_username").GetString());
            Assert.Equal("skillvl-web", claims.GetProperty("azp").GetString());
            Assert.Equal("Bearer", claims.GetProperty("typ").GetString());
            Assert.Contains("openid", claims.GetProperty("scope").GetString()!.Split(' '));
            Assert.Equal(["skillvl-teacher"], Strings(claims.GetProperty("realm_access").GetProperty("roles")));
            Assert.Equal(["lab-operator"], Strings(claims.GetProperty("resource_access").GetProperty("skillvl-web").GetProperty("roles")));
            Assert.Equal(["/skillvl/students"], Strings(claims.GetProperty("groups")));
            Assert.False(claims.TryGetProperty("client_id", out _), "Keycloak's user tokens name the client in azp only");
            Assert.Equal(TimeSpan.FromMinutes(5), token.ValidTo - token.IssuedAt);
        });
    }

    [Fact]
    public async Task Login_WrongPasswordOrUnknownUser_ShowsTheFormAgainAndIssuesNoToken()
    {
        await WithProviderAsync(new OidcProviderOptions { Users = [Teacher] }, async (server, cancellationToken) =>
        {
            Assert.Equal(
                "Invalid username or password.",
                await server.GetAccessTokenExpectingFailureAsync("tina", "wrong", cancellationToken));
            Assert.Equal(
                "Invalid username or password.",
                await server.GetAccessTokenExpectingFailureAsync("nobody", "tina-secret", cancellationToken));

            // The refusals were the password's fault, not a broken provider.
            Assert.NotEmpty(await server.GetAccessTokenAsync("tina", "tina-secret", cancellationToken));
        });
    }

    [Fact]
    public async Task RotateKeys_NewTokensCarryTheNewKid_AndTheJwksPublishesIt()
    {
        await WithProviderAsync(new OidcProviderOptions { Users = [Teacher] }, async (server, cancellationToken) =>
        {
            var (issuer, port, oldKid) = (server.Issuer, server.Port, server.SigningKeyId);
            var oldToken = await server.GetAccessTokenAsync("tina", "tina-secret", cancellationToken);

            var newKey = await server.RotateKeysAsync(keepOld: true, cancellationToken);

            Assert.Equal(0, server.LastExitCode); // the old process exited cleanly on SIGTERM
            Assert.Equal((issuer, port), (server.Issuer, server.Port));
            var login = await server.LoginAsync("tina", "tina-secret", cancellationToken);
            var newToken = login.AccessToken!;
            Assert.Equal(newKey.KeyId, new JsonWebToken(newToken).Kid);
            Assert.Equal(newKey.KeyId, new JsonWebToken(login.IdToken!).Kid);
            Assert.NotEqual(oldKid, newKey.KeyId);
            Assert.Equal([newKey.KeyId, oldKid], await JwksKidsAsync(server, cancellationToken));
            Assert.True((await ValidateAsync(server, newToken, cancellationToken)).IsValid);
            Assert.True((await ValidateAsync(server, oldToken, cancellationToken)).IsValid, "the old key is still published");

            var newest = await server.RotateKeysAsync(keepOld: false, cancellationToken);

            Assert.Equal([newest.KeyId], await JwksKidsAsync(server, cancellationToken));
            var dropped = await ValidateAsync(server, newToken, cancellationToken);
            Assert.False(dropped.IsValid);
            Assert.IsType<SecurityTokenSignatureKeyNotFoundException>(dropped.Exception);
        });
    }

    [Fact]
    public async Task AccessTtl_TwoSeconds_TokenLivesTwoSeconds()
    {
        var options = new OidcProviderOptions { Users = [Teacher], AccessTokenLifetime = TimeSpan.FromSeconds(2) };
        await WithProviderAsync(options, async (server, cancellationToken) =>
        {
            var accessToken = await server.GetAccessTokenAsync("tina", "tina-secret", cancellationToken);

            using var payload = Payload(new JsonWebToken(accessToken));
            var claims = payload.RootElement;
            Assert.Equal(2, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());

            // exp is whole seconds: 3 s after issue it has passed for sure.
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var expired = await ValidateAsync(server, accessToken, cancellationToken);
            Assert.IsType<SecurityTokenExpiredException>(expired.Exception);
        });
    }

    private async Task WithProviderAsync(OidcProviderOptions options, Func<OidcProviderServer, CancellationToken, Task> test)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var server = await OidcProviderServer.StartAsync(options, timeout.Token);
        try
        {
            output.WriteLine($"provider {server.Issuer}, signing kid {server.SigningKeyId}");
            await test(server, timeout.Token);
        }
        finally
        {
            output.WriteLine(server.RecentOutput);
            await server.DisposeAsync();
        }
    }

    /// <summary>Signature (against the JWKS fetched from the provider), issuer, audience and lifetime, no clock skew.</summary>
    private static async Task<TokenValidationResult> ValidateAsync(OidcProviderServer server, string token, CancellationToken cancellationToken)
    {
        var jwks = new JsonWebKeySet(await server.GetJwksJsonAsync(cancellationToken));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = server.Issuer,
            ValidAudience = "skillvl",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ClockSkew = TimeSpan.Zero,
        });
    }

    private static async Task<string[]> JwksKidsAsync(OidcProviderServer server, CancellationToken cancellationToken) =>
        [.. new JsonWebKeySet(await server.GetJwksJsonAsync(cancellationToken)).Keys.Select(k => k.Kid)];

    private static JsonDocument Payload(JsonWebToken token) => JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload));

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
