using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11 finding 6 against the real Server and real tokens: a password change or an admin reset ends the
/// user's sessions (access token, refresh token, login cookie; API tokens as chosen or all on a reset), and an API
/// token never outlives or out-scopes the credential that made it.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class SessionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Issue11_PasswordChange_EndsAccessRefreshAndCookie_KeepsApiTokensUnlessAsked()
    {
        await using var server = await ServerHarness.StartAsync();
        var password = await AddUserAsync(server, "pat");
        using var browser = EmbeddedLogin.Browser(server.BaseUrl);
        var login = await EmbeddedLogin.LoginAsync(server.BaseUrl, "pat", password, browser);
        using var session = server.ClientWith(login.AccessToken);
        var kept = await CreateTokenAsync(session, new CreateApiTokenRequest("kept"));
        using var keptClient = server.ClientWith(kept.Token);
        Assert.Contains("code=", await AuthorizeWithCookieAsync(server, browser), StringComparison.Ordinal);

        using (var change = await session.PostAsJsonAsync(ApiPaths.Me + "/password", new ChangePasswordRequest(password, "pat-second-password"), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync(ApiPaths.Me)).StatusCode);
        await AssertRefreshRefusedAsync(server, login.RefreshToken!);
        var location = await AuthorizeWithCookieAsync(server, browser);
        output.WriteLine($"authorize with the old cookie: {location}");
        Assert.StartsWith("/login?", location, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await keptClient.GetAsync(ApiPaths.Me)).StatusCode);

        // The new password gives a working session; changing again with revokeApiTokens ends the API token too.
        var second = await EmbeddedLogin.LoginAsync(server.BaseUrl, "pat", "pat-second-password");
        using var secondSession = server.ClientWith(second.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await secondSession.GetAsync(ApiPaths.Me)).StatusCode);
        using (var change = await secondSession.PostAsJsonAsync(
            ApiPaths.Me + "/password", new ChangePasswordRequest("pat-second-password", "pat-third-password", RevokeApiTokens: true), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await keptClient.GetAsync(ApiPaths.Me)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await secondSession.GetAsync(ApiPaths.Me)).StatusCode);
    }

    [Fact]
    public async Task Issue11_AdminReset_EndsSessions_AndRevokesEveryApiToken()
    {
        await using var server = await ServerHarness.StartAsync();
        var password = await AddUserAsync(server, "ria");
        // One session by the web flow, one by the CLI's device flow.
        var web = await EmbeddedLogin.LoginAsync(server.BaseUrl, "ria", password);
        var device = await EmbeddedLogin.DeviceLoginAsync(server.BaseUrl, "ria", password);
        using var webClient = server.ClientWith(web.AccessToken);
        using var deviceClient = server.ClientWith(device.AccessToken);
        var token = await CreateTokenAsync(webClient, new CreateApiTokenRequest("ci", ExpiresInDays: 30));
        using var tokenClient = server.ClientWith(token.Token);
        var child = await CreateTokenAsync(tokenClient, new CreateApiTokenRequest("child"));
        using var childClient = server.ClientWith(child.Token);

        using (var reset = await server.Client.PutAsJsonAsync(ApiPaths.User("ria") + "/password", new SetPasswordRequest("ria-reset-password"), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        foreach (var (name, client) in new[] { ("web access token", webClient), ("device access token", deviceClient), ("API token", tokenClient), ("its child", childClient) })
        {
            Assert.True((await client.GetAsync(ApiPaths.Me)).StatusCode == HttpStatusCode.Unauthorized, $"{name} still works after the reset");
        }

        await AssertRefreshRefusedAsync(server, web.RefreshToken!);
        await AssertRefreshRefusedAsync(server, device.RefreshToken!, EmbeddedLogin.CliClient);
        using var again = server.ClientWith((await EmbeddedLogin.LoginAsync(server.BaseUrl, "ria", "ria-reset-password")).AccessToken);
        Assert.Empty((await again.GetFromJsonAsync<List<ApiTokenInfo>>(ApiPaths.Tokens, ServerHarness.Json))!);
    }

    [Fact]
    public async Task Issue11_ChildApiToken_CannotOutliveOrOutscopeItsParent_AndDiesWithIt()
    {
        await using var server = await ServerHarness.StartAsync();
        var password = await AddUserAsync(server, "cal");
        using var session = server.ClientWith((await EmbeddedLogin.LoginAsync(server.BaseUrl, "cal", password)).AccessToken);

        // From a login session: never "never", at most the platform's maximum (90 days by default).
        var fromLogin = await CreateTokenAsync(session, new CreateApiTokenRequest("day", ExpiresInDays: 1));
        var longest = await CreateTokenAsync(session, new CreateApiTokenRequest("longest"));
        Assert.NotNull(longest.Info.ExpiresAt);
        Assert.InRange(longest.Info.ExpiresAt!.Value - longest.Info.CreatedAt, TimeSpan.FromDays(90) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(90));
        await AssertRefusedAsync(session, new CreateApiTokenRequest("forever", ExpiresInDays: 3650), "expiresInDays");

        // A one-day token cannot make a longer-lived one; left out, the child gets the parent's expiry.
        using var parent = server.ClientWith(fromLogin.Token);
        await AssertRefusedAsync(parent, new CreateApiTokenRequest("longer", ExpiresInDays: 2), "expiresInDays");
        await AssertRefusedAsync(parent, new CreateApiTokenRequest("year", ExpiresInDays: 365), "expiresInDays");
        var child = await CreateTokenAsync(parent, new CreateApiTokenRequest("child"));
        Assert.Equal(fromLogin.Info.ExpiresAt, child.Info.ExpiresAt);
        using var childClient = server.ClientWith(child.Token);
        var grandchild = await CreateTokenAsync(childClient, new CreateApiTokenRequest("grandchild"));
        using var grandchildClient = server.ClientWith(grandchild.Token);

        // A write-only token cannot make a token that also reads.
        var writeOnly = await CreateTokenAsync(session, new CreateApiTokenRequest("w", [ApiTokenScopes.Write], 7));
        using var writer = server.ClientWith(writeOnly.Token);
        await AssertRefusedAsync(writer, new CreateApiTokenRequest("wider", [ApiTokenScopes.Read, ApiTokenScopes.Write]), "scopes");

        // Revoking the parent revokes its descendants; a sibling made by the login session lives on.
        Assert.Equal(HttpStatusCode.OK, (await grandchildClient.GetAsync(ApiPaths.Me)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await session.DeleteAsync(ApiPaths.Token(fromLogin.Info.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await parent.GetAsync(ApiPaths.Me)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await childClient.GetAsync(ApiPaths.Me)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await grandchildClient.GetAsync(ApiPaths.Me)).StatusCode);
        using var sibling = server.ClientWith(longest.Token);
        Assert.Equal(HttpStatusCode.OK, (await sibling.GetAsync(ApiPaths.Me)).StatusCode);
        var left = (await session.GetFromJsonAsync<List<ApiTokenInfo>>(ApiPaths.Tokens, ServerHarness.Json))!;
        Assert.Equal(["longest", "w"], left.Select(t => t.Name).Order().ToList());
    }

    [Fact]
    public async Task Issue11_MaxApiTokenLifetime_IsThePlatformsSetting()
    {
        await using var server = await ServerHarness.StartAsync(o => o.Auth.MaxApiTokenLifetime = TimeSpan.FromDays(7));
        var password = await AddUserAsync(server, "max");
        using var session = server.ClientWith((await EmbeddedLogin.LoginAsync(server.BaseUrl, "max", password)).AccessToken);
        await AssertRefusedAsync(session, new CreateApiTokenRequest("eight", ExpiresInDays: 8), "expiresInDays");
        var seven = await CreateTokenAsync(session, new CreateApiTokenRequest("default"));
        Assert.InRange(seven.Info.ExpiresAt!.Value - seven.Info.CreatedAt, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
    }

    private static async Task<string> AddUserAsync(ServerHarness server, string username)
    {
        var password = $"pw-{username}-{Guid.NewGuid():N}"[..24];
        await Users.ReadAsync<CreatedUser>(
            await server.Client.PostAsJsonAsync(ApiPaths.Users, new CreateUserRequest(username, PlatformRoles.Student, password), ServerHarness.Json), HttpStatusCode.Created);
        return password;
    }

    private static async Task<CreatedApiToken> CreateTokenAsync(HttpClient client, CreateApiTokenRequest request) =>
        await Users.ReadAsync<CreatedApiToken>(await client.PostAsJsonAsync(ApiPaths.Tokens, request, ServerHarness.Json), HttpStatusCode.Created);

    private async Task AssertRefusedAsync(HttpClient client, CreateApiTokenRequest request, string field)
    {
        using var response = await client.PostAsJsonAsync(ApiPaths.Tokens, request, ServerHarness.Json);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{request}: {(int)response.StatusCode} {body}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", body, StringComparison.Ordinal);
    }

    private async Task AssertRefreshRefusedAsync(ServerHarness server, string refreshToken, string clientId = EmbeddedLogin.WebClient)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(server.BaseUrl + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
        }));
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"refresh after the change: {(int)response.StatusCode} {body}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_grant", body, StringComparison.Ordinal);
    }

    /// <summary>An authorization request with only the browser's login cookie; where the issuer sends it.</summary>
    private static async Task<string> AuthorizeWithCookieAsync(ServerHarness server, HttpClient browser)
    {
        var verifier = EmbeddedLogin.Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = EmbeddedLogin.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        using var response = await browser.GetAsync(EmbeddedLogin.AuthorizePath(server.BaseUrl, challenge));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.ToString();
    }
}
