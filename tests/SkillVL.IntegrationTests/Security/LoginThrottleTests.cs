using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11 finding 7 against the real Server: wrong passwords back off per (account, address) — at the login
/// page, the device approval page and /me/password — audited, without locking the owner out from elsewhere.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class LoginThrottleTests(ITestOutputHelper output)
{
    private static readonly IPAddress Elsewhere = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Issue11_TwentyWrongPasswords_ThenTheRightOne_IsThrottled_AdminStillLogsInFromElsewhere()
    {
        await using var server = await ServerHarness.StartAsync();
        using var attacker = EmbeddedLogin.Browser(server.BaseUrl);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var wrong = await PostLoginAsync(attacker, "admin", $"guess-{i}");
            answers.Add(wrong.StatusCode);
        }

        output.WriteLine("wrong passwords: " + string.Join(" ", answers.Select(a => (int)a)));
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), answers.Take(5));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);

        using (var right = await PostLoginAsync(attacker, "admin", server.InitialAdminPassword))
        {
            var page = await right.Content.ReadAsStringAsync();
            output.WriteLine($"right password: {(int)right.StatusCode} Retry-After {right.Headers.RetryAfter}");
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
            Assert.InRange(right.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
            Assert.Contains("Too many wrong passwords", page, StringComparison.Ordinal);
            Assert.DoesNotContain("skillvl.login", string.Join(";", right.Headers.TryGetValues("Set-Cookie", out var c) ? c : []), StringComparison.Ordinal);
        }

        // An account that does not exist answers exactly alike: nothing tells it apart.
        var unknown = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var wrong = await PostLoginAsync(attacker, "nobody", $"guess-{i}");
            unknown.Add(wrong.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], unknown);

        // The admin, from an address without failures of its own, still gets in.
        using (var admin = EmbeddedLogin.Browser(server.BaseUrl, Elsewhere))
        {
            var tokens = await EmbeddedLogin.LoginAsync(server.BaseUrl, "admin", server.InitialAdminPassword, admin);
            using var client = server.ClientWith(tokens.AccessToken);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ApiPaths.Me)).StatusCode);
        }

        var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=login.&limit=1000", ServerHarness.Json))!;
        Assert.Equal(5, audit.Count(a => a is { Action: "login.failed", Target: "username=admin", Outcome: "failed", RemoteAddress: "127.0.0.1" }));
        Assert.Contains(audit, a => a is { Action: "login.throttled", Target: "username=admin", Outcome: "refused", RemoteAddress: "127.0.0.1" });
        Assert.Contains(audit, a => a is { Action: "login.throttled", Target: "username=nobody" });
        Assert.DoesNotContain(audit, a => a.RemoteAddress == "127.0.0.2");
    }

    [Fact]
    public async Task Issue11_DeviceApproval_AndPasswordChange_AreThrottledToo()
    {
        await using var server = await ServerHarness.StartAsync();
        using var dev = await Users.AddAndLoginAsync(server, "dev", PlatformRoles.Student);
        using var pwd = await Users.AddAndLoginAsync(server, "pwd", PlatformRoles.Student);

        // The device flow's approval page takes a password as well.
        using var cli = new HttpClient();
        using var device = await cli.PostAsync(server.BaseUrl + "/connect/device", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = EmbeddedLogin.CliClient,
            ["scope"] = "openid profile offline_access skillvl",
        }));
        var userCode = JsonDocument.Parse(await device.Content.ReadAsStringAsync()).RootElement.GetProperty("user_code").GetString()!;
        var answers = new List<HttpStatusCode>();
        using var browser = EmbeddedLogin.Browser(server.BaseUrl);
        for (var i = 0; i < 7; i++)
        {
            var page = await browser.GetStringAsync("/connect/verify?user_code=" + Uri.EscapeDataString(userCode));
            using var approve = await browser.PostAsync("/connect/verify", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["user_code"] = userCode,
                ["username"] = "dev",
                ["password"] = i == 6 ? dev.Password : $"guess-{i}",
                [EmbeddedLogin.AntiforgeryField(page)] = EmbeddedLogin.Hidden(page, EmbeddedLogin.AntiforgeryField(page)),
            }));
            answers.Add(approve.StatusCode);
        }

        output.WriteLine("device approval: " + string.Join(" ", answers.Select(a => (int)a)));
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);

        // /me/password checks the current password: a stolen session must not make it a guessing oracle.
        var changes = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var change = await pwd.Client.PostAsJsonAsync(
                ApiPaths.Me + "/password", new ChangePasswordRequest(i == 6 ? pwd.Password : $"guess-{i}", "a-new-password"), ServerHarness.Json);
            changes.Add(change.StatusCode);
            if (change.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(change.Headers.RetryAfter);
                Assert.Contains("Too many wrong passwords", await change.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        output.WriteLine("password change: " + string.Join(" ", changes.Select(a => (int)a)));
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], changes);
        var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=login.throttled", ServerHarness.Json))!;
        Assert.Contains(audit, a => a.Target == "username=dev via=device");
        Assert.Contains(audit, a => a.Target == "username=pwd via=password-change");
    }

    /// <summary>The login page's form, filled in and posted by <paramref name="browser"/>.</summary>
    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient browser, string username, string password)
    {
        var form = await browser.GetStringAsync("/login?returnUrl=%2F");
        return await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["returnUrl"] = "/",
            [EmbeddedLogin.AntiforgeryField(form)] = EmbeddedLogin.Hidden(form, EmbeddedLogin.AntiforgeryField(form)),
        }));
    }
}
