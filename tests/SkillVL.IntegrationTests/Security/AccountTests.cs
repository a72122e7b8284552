using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Consoles;
using SkillVL.TestUtilities.Oidc;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 17 Deliver 3 (ADR 0043) against the real Server and real credentials: an admin sets roles and disables or
/// enables accounts; nobody else can; a change of role counts from the user's very next request; a disabled account's
/// every credential (access token, refresh token, login cookie, API token, event and console tickets) is refused on
/// its next use, saying why; enabling restores the password and API tokens but no old session.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class AccountTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Issue17_SetRole_AdminOnly_UnknownRoleIs400_NotOneself_TakesEffectOnTheNextRequest()
    {
        await using var server = await ServerHarness.StartAsync();
        using var tom = await Users.AddAndLoginAsync(server, "tom", PlatformRoles.Teacher);
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);

        // Not an admin: their own account 403, someone else's 404 (as every user route: IsolationMatrixTests).
        foreach (var (method, path, body) in Routes("sam"))
        {
            await ExpectAsync(sam.Client, method, path, body, HttpStatusCode.Forbidden, "admin");
        }

        foreach (var (method, path, body) in Routes("tom"))
        {
            await ExpectAsync(sam.Client, method, path, body, HttpStatusCode.NotFound, "tom");
        }

        await ExpectAsync(server.Client, HttpMethod.Put, ApiPaths.User("sam") + "/role", new SetRoleRequest("wizard"), HttpStatusCode.BadRequest, "\"role\"");
        await ExpectAsync(server.Client, HttpMethod.Put, ApiPaths.User("sam") + "/role", new SetRoleRequest(null), HttpStatusCode.BadRequest, "\"role\"");
        await ExpectAsync(server.Client, HttpMethod.Put, ApiPaths.User("nobody") + "/role", new SetRoleRequest(PlatformRoles.Teacher), HttpStatusCode.NotFound, "nobody");
        await ExpectAsync(server.Client, HttpMethod.Put, ApiPaths.User("admin") + "/role", new SetRoleRequest(PlatformRoles.Student), HttpStatusCode.Conflict, "another admin");
        Assert.Equal(PlatformRoles.Student, (await UserAsync(server, "sam")).Role);

        // Promoted: tom's access token, issued as a teacher, lists users on its very next request.
        Assert.Equal(HttpStatusCode.Forbidden, (await tom.Client.GetAsync(ApiPaths.Users)).StatusCode);
        var promoted = await Users.ReadAsync<UserInfo>(
            await server.Client.PutAsJsonAsync(ApiPaths.User("tom") + "/role", new SetRoleRequest(PlatformRoles.Admin), ServerHarness.Json), HttpStatusCode.OK);
        Assert.Equal(PlatformRoles.Admin, promoted.Role);
        Assert.Equal(HttpStatusCode.OK, (await tom.Client.GetAsync(ApiPaths.Users)).StatusCode);
        Assert.Equal(PlatformRoles.Admin, (await tom.Client.GetFromJsonAsync<MeInfo>(ApiPaths.Me, ServerHarness.Json))!.User.Role);

        // Two admins demoting each other at the same moment: one wins, the other is no admin any more by then; one
        // enabled admin is always left.
        using var admin = server.ClientWith(server.AdminToken);
        var answers = await Task.WhenAll(
            admin.PutAsJsonAsync(ApiPaths.User("tom") + "/role", new SetRoleRequest(PlatformRoles.Teacher), ServerHarness.Json),
            tom.Client.PutAsJsonAsync(ApiPaths.User("admin") + "/role", new SetRoleRequest(PlatformRoles.Teacher), ServerHarness.Json));
        var codes = answers.Select(a => a.StatusCode).ToList();
        output.WriteLine($"mutual demotion: {string.Join(", ", codes)}");
        Assert.Single(codes, HttpStatusCode.OK);
        // The loser is refused: 403 when its request reached the account lock before the winner's change committed,
        // 404 when it began after (a non-admin asking about another user meets the user routes' 404).
        Assert.Single(codes, c => c is HttpStatusCode.Forbidden or HttpStatusCode.NotFound);
        var winner = codes[0] == HttpStatusCode.OK ? admin : tom.Client;
        var loser = codes[0] == HttpStatusCode.OK ? tom.Client : admin;
        var users = (await winner.GetFromJsonAsync<List<UserInfo>>(ApiPaths.Users, ServerHarness.Json))!;
        Assert.Single(users, u => u.Role == PlatformRoles.Admin);

        // The demoted one lost the admin's powers on the next request.
        Assert.Equal(HttpStatusCode.Forbidden, (await loser.GetAsync(ApiPaths.Users)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await loser.GetAsync(ApiPaths.Audit)).StatusCode);

        var audit = (await winner.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?limit=200", ServerHarness.Json))!;
        const string SetRole = "PUT /api/v1/users/{user}/role";
        Assert.Contains(audit, a => a.Action == SetRole && a.Outcome == "200" && a.Target == "user=tom" && a.Detail == "role teacher -> admin");
        Assert.Contains(audit, a => a.Action == SetRole && a.Outcome == "403" && a.Username == "sam");
        Assert.Contains(audit, a => a.Action == SetRole && a.Outcome == "400");
    }

    [Fact]
    public async Task Issue17_DisabledAccount_EveryCredentialRefusedOnTheNextRequest_EnableRestoresLoginNotSessions()
    {
        await using var server = await ServerHarness.StartAsync();
        var password = "sam-password-1";
        await Users.ReadAsync<CreatedUser>(
            await server.Client.PostAsJsonAsync(ApiPaths.Users, new CreateUserRequest("sam", PlatformRoles.Student, password), ServerHarness.Json), HttpStatusCode.Created);
        using var browser = EmbeddedLogin.Browser(server.BaseUrl);
        var web = await EmbeddedLogin.LoginAsync(server.BaseUrl, "sam", password, browser);
        var device = await EmbeddedLogin.DeviceLoginAsync(server.BaseUrl, "sam", password);
        using var webClient = server.ClientWith(web.AccessToken);
        using var deviceClient = server.ClientWith(device.AccessToken);
        var token = await Users.ReadAsync<CreatedApiToken>(await webClient.PostAsJsonAsync(ApiPaths.Tokens, new CreateApiTokenRequest("ci"), ServerHarness.Json), HttpStatusCode.Created);
        using var tokenClient = server.ClientWith(token.Token);
        var events = await Users.ReadAsync<EventStreamTicket>(await webClient.PostAsync(ApiPaths.Prefix + "/events/tickets", null), HttpStatusCode.OK);
        var sam = await UserAsync(server, "sam");
        Assert.Null(sam.DisabledAt);

        // A console ticket opens the relay for an enabled user (the made-up node then answers 503, past the account check).
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ConsoleStatusAsync(server, sam));

        await ExpectAsync(server.Client, HttpMethod.Post, ApiPaths.User("admin") + "/disable", null, HttpStatusCode.Conflict, "another admin");
        var disabled = await Users.ReadAsync<UserInfo>(await server.Client.PostAsync(ApiPaths.User("sam") + "/disable", null), HttpStatusCode.OK);
        Assert.NotNull(disabled.DisabledAt);
        Assert.Equal(disabled.DisabledAt, (await UserAsync(server, "sam")).DisabledAt);
        Assert.Equal(disabled.DisabledAt, (await server.Client.GetFromJsonAsync<List<UserInfo>>(ApiPaths.Users, ServerHarness.Json))!.Single(u => u.Username == "sam").DisabledAt);

        // Every credential, on its very next use: 401 saying the account is disabled.
        foreach (var (name, client) in new[] { ("web access token", webClient), ("device access token", deviceClient), ("API token", tokenClient) })
        {
            using var response = await client.GetAsync(ApiPaths.Me);
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{name}: {(int)response.StatusCode} {body}");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name} answered {(int)response.StatusCode}");
            Assert.Contains("account is disabled", body, StringComparison.Ordinal);
        }

        await AssertRefreshRefusedAsync(server, web.RefreshToken!, EmbeddedLogin.WebClient);
        await AssertRefreshRefusedAsync(server, device.RefreshToken!, EmbeddedLogin.CliClient);
        Assert.Equal(HttpStatusCode.Unauthorized, (await new HttpClient().GetAsync(server.BaseUrl + events.Url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ConsoleStatusAsync(server, sam));
        // The login cookie no longer signs in: the issuer sends the browser back to the login page.
        using (var authorize = await browser.GetAsync(EmbeddedLogin.AuthorizePath(server.BaseUrl, EmbeddedLogin.Base64Url(new byte[32]))))
        {
            Assert.StartsWith("/login?", authorize.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        // The right password is refused with a clear message; a wrong one still says only "wrong".
        Assert.Contains("This account is disabled", await LoginPageAsync(server, "sam", password, HttpStatusCode.Forbidden), StringComparison.Ordinal);
        Assert.DoesNotContain("disabled", await LoginPageAsync(server, "sam", "not-the-password", HttpStatusCode.Unauthorized), StringComparison.Ordinal);

        // Enabled again: the password and the API token work, no old session does.
        var enabled = await Users.ReadAsync<UserInfo>(await server.Client.PostAsync(ApiPaths.User("sam") + "/enable", null), HttpStatusCode.OK);
        Assert.Null(enabled.DisabledAt);
        Assert.Equal(HttpStatusCode.OK, (await tokenClient.GetAsync(ApiPaths.Me)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await webClient.GetAsync(ApiPaths.Me)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await deviceClient.GetAsync(ApiPaths.Me)).StatusCode);
        using var again = server.ClientWith((await EmbeddedLogin.LoginAsync(server.BaseUrl, "sam", password)).AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync(ApiPaths.Me)).StatusCode);

        var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?limit=200", ServerHarness.Json))!;
        Assert.Contains(audit, a => a.Action == "POST /api/v1/users/{user}/disable" && a.Outcome == "200" && a.Target == "user=sam");
        Assert.Contains(audit, a => a.Action == "POST /api/v1/users/{user}/disable" && a.Outcome == "409" && a.Target == "user=admin");
        Assert.Contains(audit, a => a.Action == "POST /api/v1/users/{user}/enable" && a.Outcome == "200");
        Assert.Contains(audit, a => a.Action == "login.refused" && a.Detail == "account disabled");
    }

    [Fact]
    public async Task Issue17_ExternalUser_Disabled_IsRefusedWhatTheIdpSays_AndItsRoleIsTheIdps()
    {
        var student = new OidcTestUser("kc-student", "pw-student") { Groups = ["/skillvl/students"] };
        await using var idp = await OidcProviderServer.StartAsync(new OidcProviderOptions { Users = [student] });
        await using var server = await ServerHarness.StartAsync(o =>
        {
            o.Auth.Mode = "external";
            o.Auth.External.Authority = idp.Issuer;
            o.Auth.External.RequireHttpsMetadata = false;
            o.Auth.External.RoleMap["/skillvl/students"] = PlatformRoles.Student;
        });
        using var client = server.ClientWith(await idp.GetAccessTokenAsync(student.Username, student.Password, CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ApiPaths.Me)).StatusCode);

        await ExpectAsync(server.Client, HttpMethod.Put, ApiPaths.User("kc-student") + "/role", new SetRoleRequest(PlatformRoles.Teacher), HttpStatusCode.Conflict, idp.Issuer);
        await Users.ReadAsync<UserInfo>(await server.Client.PostAsync(ApiPaths.User("kc-student") + "/disable", null), HttpStatusCode.OK);

        // The token the IdP issued before, and a fresh one: both refused, saying why.
        using var fresh = server.ClientWith(await idp.GetAccessTokenAsync(student.Username, student.Password, CancellationToken.None));
        foreach (var caller in new[] { client, fresh })
        {
            using var refused = await caller.GetAsync(ApiPaths.Me);
            var body = await refused.Content.ReadAsStringAsync();
            output.WriteLine($"external token of a disabled user: {(int)refused.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("account is disabled", body, StringComparison.Ordinal);
        }

        await Users.ReadAsync<UserInfo>(await server.Client.PostAsync(ApiPaths.User("kc-student") + "/enable", null), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync(ApiPaths.Me)).StatusCode);
    }

    private static IEnumerable<(HttpMethod Method, string Path, object? Body)> Routes(string user) =>
    [
        (HttpMethod.Put, ApiPaths.User(user) + "/role", new SetRoleRequest(PlatformRoles.Admin)),
        (HttpMethod.Post, ApiPaths.User(user) + "/disable", null),
        (HttpMethod.Post, ApiPaths.User(user) + "/enable", null),
    ];

    private async Task ExpectAsync(HttpClient client, HttpMethod method, string path, object? body, HttpStatusCode expected, string contains)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: ServerHarness.Json) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{method} {path}: {(int)response.StatusCode} {text}");
        Assert.True(response.StatusCode == expected, $"{method} {path} answered {(int)response.StatusCode}, expected {(int)expected}: {text}");
        Assert.Contains(contains, text, StringComparison.Ordinal);
    }

    private static async Task<UserInfo> UserAsync(ServerHarness server, string user) =>
        await Users.ReadAsync<UserInfo>(await server.Client.GetAsync(ApiPaths.User(user)), HttpStatusCode.OK);

    private async Task AssertRefreshRefusedAsync(ServerHarness server, string refreshToken, string clientId)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(server.BaseUrl + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
        }));
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"refresh ({clientId}): {(int)response.StatusCode} {body}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        // The store's revocation answers first ("no longer valid"); a grant it missed gets "The account is disabled".
        Assert.Contains("invalid_grant", body, StringComparison.Ordinal);
    }

    /// <summary>The login page's answer to a username and password, checked for its status; the page.</summary>
    private static async Task<string> LoginPageAsync(ServerHarness server, string username, string password, HttpStatusCode expected)
    {
        using var browser = EmbeddedLogin.Browser(server.BaseUrl);
        var form = await browser.GetStringAsync("/login");
        using var posted = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["returnUrl"] = "/",
            [EmbeddedLogin.AntiforgeryField(form)] = EmbeddedLogin.Hidden(form, EmbeddedLogin.AntiforgeryField(form)),
        }));
        Assert.Equal(expected, posted.StatusCode);
        return await posted.Content.ReadAsStringAsync();
    }

    /// <summary>The HTTP status the console WebSocket answers to a fresh ticket of the user (for a machine on no node).</summary>
    private static async Task<HttpStatusCode> ConsoleStatusAsync(ServerHarness server, UserInfo user)
    {
        var (ticket, _) = server.App.Services.GetRequiredService<ConsoleTickets>().Issue(
            new ConsoleGrant(user.Id, user.Username, user.Role, "no-such-vm", "no-such-node", "room=none machine=none", "serial"));
        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        var url = new UriBuilder(server.BaseUrl + ConsoleGateway.WebSocketPath) { Scheme = "ws", Query = "ticket=" + Uri.EscapeDataString(ticket) }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(url, timeout.Token));
        return socket.HttpStatusCode;
    }
}
