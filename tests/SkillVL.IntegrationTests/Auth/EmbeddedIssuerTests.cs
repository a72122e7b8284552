using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>
/// The embedded OpenIddict issuer against the real Server: first-start admin, local accounts, authorization code +
/// PKCE, device flow, refresh, personal API tokens with scopes, and every kind of bad token answered 401.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class EmbeddedIssuerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Admin_LogsInWithOneTimePassword_AddsUsers_RolesApply()
    {
        await using var server = await ServerHarness.StartAsync();
        var admin = await EmbeddedLogin.LoginAsync(server.BaseUrl, "admin", server.InitialAdminPassword);
        using var adminClient = server.ClientWith(admin.AccessToken);
        var me = await Users.ReadAsync<MeInfo>(await adminClient.GetAsync(ApiPaths.Me), HttpStatusCode.OK);
        Assert.Equal(("admin", PlatformRoles.Admin, "oidc"), (me.User.Username, me.User.Role, me.AuthenticatedBy));

        using var teacher = await Users.AddAndLoginAsync(server, "tina", PlatformRoles.Teacher);
        using var student = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        var sam = await Users.ReadAsync<MeInfo>(await student.Client.GetAsync(ApiPaths.Me), HttpStatusCode.OK);
        Assert.Equal(PlatformRoles.Student, sam.User.Role);
        Assert.Equal(4, sam.Quota.Limits.RunningVms); // the student default

        // Roles are enforced server-side: a student may not list users or read the audit log, a teacher neither.
        using (var refused = await student.Client.GetAsync(ApiPaths.Users))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var refused = await teacher.Client.GetAsync(ApiPaths.Audit))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // A user added without a password gets a generated one, shown once.
        var generated = await Users.ReadAsync<CreatedUser>(
            await adminClient.PostAsJsonAsync(ApiPaths.Users, new CreateUserRequest("gen", PlatformRoles.Student), ServerHarness.Json), HttpStatusCode.Created);
        Assert.False(string.IsNullOrEmpty(generated.InitialPassword));
        await EmbeddedLogin.LoginAsync(server.BaseUrl, "gen", generated.InitialPassword!);

        // Bad user input names the field.
        using var bad = await adminClient.PostAsJsonAsync(ApiPaths.Users, new CreateUserRequest("Bad Name!", "wizard", "short"), ServerHarness.Json);
        var problem = await bad.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"username\"", problem, StringComparison.Ordinal);
        Assert.Contains("\"role\"", problem, StringComparison.Ordinal);
        Assert.Contains("\"password\"", problem, StringComparison.Ordinal);
        output.WriteLine(problem);
    }

    [Fact]
    public async Task OneTimePassword_IsChanged_OldOneStopsWorking_AdminCanResetOthers()
    {
        await using var server = await ServerHarness.StartAsync();
        var oneTime = server.InitialAdminPassword;
        var admin = server.ClientWith((await EmbeddedLogin.LoginAsync(server.BaseUrl, "admin", oneTime)).AccessToken);
        using (var wrong = await admin.PostAsJsonAsync(ApiPaths.Me + "/password", new ChangePasswordRequest("nope", "a-new-password"), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.Contains("\"currentPassword\"", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync(ApiPaths.Me + "/password", new ChangePasswordRequest(oneTime, "a-new-password"), ServerHarness.Json)).StatusCode);
        Assert.Null((await EmbeddedLogin.AuthorizeAsync(server.BaseUrl, "admin", oneTime)).Code);
        // The change ended the session it was made with (issue 11 finding 6): log in again.
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync(ApiPaths.Me)).StatusCode);
        admin = server.ClientWith((await EmbeddedLogin.LoginAsync(server.BaseUrl, "admin", "a-new-password")).AccessToken);

        using var student = await Users.AddAndLoginAsync(server, "forgetful", PlatformRoles.Student);
        var reset = await Users.ReadAsync<CreatedUser>(await admin.PutAsJsonAsync(ApiPaths.User("forgetful") + "/password", new SetPasswordRequest(), ServerHarness.Json), HttpStatusCode.OK);
        Assert.Null((await EmbeddedLogin.AuthorizeAsync(server.BaseUrl, "forgetful", student.Password)).Code);
        using var again = server.ClientWith((await EmbeddedLogin.LoginAsync(server.BaseUrl, "forgetful", reset.InitialPassword!)).AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await again.PutAsJsonAsync(ApiPaths.User("forgetful") + "/password", new SetPasswordRequest("x-long-enough"), ServerHarness.Json)).StatusCode);
        admin.Dispose();
    }

    [Fact]
    public async Task WrongPassword_GivesNoCode_AndIsAudited()
    {
        await using var server = await ServerHarness.StartAsync();
        var (code, _) = await EmbeddedLogin.AuthorizeAsync(server.BaseUrl, "admin", "not-the-password");
        Assert.Null(code);
        var audit = await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=login", ServerHarness.Json);
        Assert.Contains(audit!, a => a.Action == "login.failed" && a.Outcome == "failed" && a.Target == "username=admin");
    }

    [Fact]
    public async Task DeviceFlow_AndRefresh_GiveWorkingTokens()
    {
        await using var server = await ServerHarness.StartAsync();
        using var teacher = await Users.AddAndLoginAsync(server, "tom", PlatformRoles.Teacher);
        var device = await EmbeddedLogin.DeviceLoginAsync(server.BaseUrl, "tom", teacher.Password);
        using (var cli = server.ClientWith(device.AccessToken))
        {
            var me = await Users.ReadAsync<MeInfo>(await cli.GetAsync(ApiPaths.Me), HttpStatusCode.OK);
            Assert.Equal("tom", me.User.Username);
        }

        Assert.NotNull(device.RefreshToken);
        var refreshed = await EmbeddedLogin.RefreshAsync(server.BaseUrl, device.RefreshToken!, EmbeddedLogin.CliClient);
        using var again = server.ClientWith(refreshed.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync(ApiPaths.Me)).StatusCode);
    }

    [Fact]
    public async Task BadTokens_Answer401_WithoutDetail()
    {
        await using var server = await ServerHarness.StartAsync();
        var good = await EmbeddedLogin.LoginAsync(server.BaseUrl, "admin", server.InitialAdminPassword);
        var adminId = (await server.Client.GetFromJsonAsync<MeInfo>(ApiPaths.Me, ServerHarness.Json))!.User.Id;
        var issuer = server.BaseUrl + "/";
        using var foreignKey = RSA.Create(2048);
        var forged = Sign(new RsaSecurityKey(foreignKey) { KeyId = "forged" }, adminId, issuer, "skillvl");

        var cases = new Dictionary<string, string?>
        {
            ["missing"] = null,
            ["garbage"] = "not-a-token",
            ["wrongly signed"] = forged,
            ["tampered"] = good.AccessToken[..^4] + (good.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"),
            ["unknown API token"] = "svl_pat_" + new string('x', 43),
        };
        foreach (var (name, token) in cases)
        {
            await AssertUnauthorizedAsync(server, name, token);
        }

        // Wrong audience and wrong issuer need a token signed by the issuer's own key: take it from the data directory.
        var ownKey = SkillVL.Server.Identity.IssuerKeys.LoadOrCreate(server.DataDirectory).Signing;
        await AssertUnauthorizedAsync(server, "wrong audience", Sign(ownKey, adminId, issuer, "someone-else"));
        await AssertUnauthorizedAsync(server, "wrong issuer", Sign(ownKey, adminId, "http://127.0.0.1:1/", "skillvl"));
        Assert.Equal(HttpStatusCode.OK, (await server.ClientWith(Sign(ownKey, adminId, issuer, "skillvl")).GetAsync(ApiPaths.Me)).StatusCode);

        // Expired: a token of the issuer's own key whose exp lies 5 minutes back (past the 30 s clock skew).
        await AssertUnauthorizedAsync(server, "expired", Sign(ownKey, adminId, issuer, "skillvl", expires: DateTime.UtcNow.AddMinutes(-5)));
    }

    [Fact]
    public async Task ApiTokens_ScopeAndRevocation()
    {
        await using var server = await ServerHarness.StartAsync();
        using var student = await Users.AddAndLoginAsync(server, "sue", PlatformRoles.Student);
        var readOnly = await Users.ReadAsync<CreatedApiToken>(
            await student.Client.PostAsJsonAsync(ApiPaths.Tokens, new CreateApiTokenRequest("ci", [ApiTokenScopes.Read], 30), ServerHarness.Json),
            HttpStatusCode.Created);
        Assert.StartsWith("svl_pat_", readOnly.Token, StringComparison.Ordinal);
        using var reader = server.ClientWith(readOnly.Token);
        var me = await Users.ReadAsync<MeInfo>(await reader.GetAsync(ApiPaths.Me), HttpStatusCode.OK);
        Assert.Equal(("sue", "api-token"), (me.User.Username, me.AuthenticatedBy));

        using (var write = await reader.PostAsJsonAsync(ApiPaths.Tokens, new CreateApiTokenRequest("more"), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
            Assert.Contains("'read' scope", await write.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var bad = await student.Client.PostAsJsonAsync(ApiPaths.Tokens, new CreateApiTokenRequest("", ["admin"], 0), ServerHarness.Json))
        {
            var body = await bad.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("\"scopes\"", body, StringComparison.Ordinal);
            Assert.Contains("\"expiresInDays\"", body, StringComparison.Ordinal);
        }

        // Another student cannot see or revoke it.
        using var other = await Users.AddAndLoginAsync(server, "olaf", PlatformRoles.Student);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.DeleteAsync(ApiPaths.Token(readOnly.Info.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(ApiPaths.Me)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await student.Client.DeleteAsync(ApiPaths.Token(readOnly.Info.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync(ApiPaths.Me)).StatusCode);
    }

    private async Task AssertUnauthorizedAsync(ServerHarness server, string name, string? token)
    {
        using var client = server.ClientWith(token);
        using var response = await client.GetAsync(ApiPaths.Rooms);
        var body = await response.Content.ReadAsStringAsync();
        var challenge = string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        output.WriteLine($"{name}: {(int)response.StatusCode} WWW-Authenticate: {challenge} body: {body}");
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name} token answered {(int)response.StatusCode}");
        // No detail leak: nothing says whether it expired, which key, issuer or audience.
        Assert.DoesNotContain("error_description", challenge, StringComparison.Ordinal);
        Assert.DoesNotContain("expired", body + challenge, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("signature", body + challenge, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("audience", body + challenge, StringComparison.OrdinalIgnoreCase);
    }

    private static string Sign(SecurityKey key, string subject, string issuer, string audience, DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (expires ?? now.AddMinutes(5)).AddMinutes(-10),
            NotBefore = (expires ?? now.AddMinutes(5)).AddMinutes(-10),
            Expires = expires ?? now.AddMinutes(5),
            // skillvl_cgen: the admin's credential generation (0: the password was never changed).
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["role"] = "admin", ["skillvl_cgen"] = "0" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }
}
