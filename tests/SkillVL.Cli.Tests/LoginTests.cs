using System.Net;
using System.Text.Json.Nodes;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Tests;

public sealed class LoginTests : IDisposable
{
    private const string Server = "http://127.0.0.1:8080";
    private const string DeviceCodeGrant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code";

    private static readonly AuthConfig Config = new(
        "embedded", Server + "/", "skillvl-api", "skillvl-web", "skillvl-cli", ["openid", "profile", "offline_access", "skillvl"]);

    private readonly string directory = Directory.CreateTempSubdirectory("skillvl-cli-login-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Home => Path.Combine(directory, "home");

    private string UserConfig => Path.Combine(Home, ".config", "skillvl", "config.json");

    [Fact]
    public async Task Login_DeviceFlowPendingThenSlowDownThenTokens_HonoursIntervalAndSavesTokens()
    {
        var clock = new InstantTimeProvider(Answers.Now);
        var harness = Harness(clock);
        ScriptIssuer(harness);
        harness.Handler
            .On(
                "POST",
                "/connect/token",
                Answers.OAuthError("authorization_pending"),
                Answers.OAuthError("slow_down"),
                Answers.RawJson(HttpStatusCode.OK, """{"access_token":"at-1","refresh_token":"rt-1","expires_in":3600,"token_type":"Bearer"}"""))
            .On("GET", "/api/v1/me", Answers.Json(HttpStatusCode.OK, Answers.Me()));

        var run = await harness.RunAsync("login");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains(
            "Open http://127.0.0.1:8080/connect/verify?user_code=WDJB-MJHT and enter code WDJB-MJHT", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("logged in to http://127.0.0.1:8080/ as alice (teacher)", run.Stdout.Trim());

        // The device request names the CLI's client and the configured scopes; no token is sent anywhere before login.
        var device = harness.Handler.Requests.Single(r => r.Uri.AbsolutePath == "/connect/device");
        Assert.Equal("client_id=skillvl-cli&scope=openid+profile+offline_access+skillvl", device.Body);
        Assert.All(harness.Handler.Requests.Where(r => r.Uri.AbsolutePath != "/api/v1/me"), r => Assert.Null(r.Authorization));

        // Three polls, each after the interval, the last after it grew by 5 s for "slow_down".
        var polls = harness.Handler.Requests.Where(r => r.Uri.AbsolutePath == "/connect/token").ToList();
        Assert.Equal(3, polls.Count);
        Assert.All(polls, p => Assert.Equal($"{DeviceCodeGrant}&device_code=dev-1&client_id=skillvl-cli", p.Body));
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)], clock.Waits);
        Assert.Equal("Bearer at-1", harness.Handler.Requests.Single(r => r.Uri.AbsolutePath == "/api/v1/me").Authorization);

        var saved = ReadConfig(UserConfig);
        Assert.Equal("http://127.0.0.1:8080/", saved["server"]!.GetValue<string>());
        Assert.Equal("at-1", saved["token"]!.GetValue<string>());
        var oidc = saved["oidc"]!;
        Assert.Equal("rt-1", oidc["refreshToken"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:8080/connect/token", oidc["tokenEndpoint"]!.GetValue<string>());
        Assert.Equal("skillvl-cli", oidc["clientId"]!.GetValue<string>());
        Assert.Equal(Answers.Now.AddSeconds(20 + 3600), oidc["expiresAt"]!.GetValue<DateTimeOffset>());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(UserConfig));
        }
    }

    [Fact]
    public async Task Login_ExistingConfig_KeepsFieldsItDoesNotOwn()
    {
        WriteFile(UserConfig, """{"server":"http://old:1","token":"old","editor":"vim","oidc":{"refreshToken":"stale"}}""");
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        ScriptIssuer(harness);
        harness.Handler
            .On("POST", "/connect/token", Answers.RawJson(HttpStatusCode.OK, """{"access_token":"at-2","expires_in":"60"}"""))
            .On("GET", "/api/v1/me", Answers.Json(HttpStatusCode.OK, Answers.Me()));

        var run = await harness.RunAsync("login", "--server", Server);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var saved = ReadConfig(UserConfig);
        Assert.Equal("vim", saved["editor"]!.GetValue<string>());
        Assert.Equal("at-2", saved["token"]!.GetValue<string>());
        Assert.Null(saved["oidc"]!["refreshToken"]);
    }

    [Fact]
    public async Task Login_IssuerUnderAPath_DiscoversBelowIt()
    {
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Handler
            .On("GET", "/api/v1/auth/config", Answers.Json(HttpStatusCode.OK, Config with { Mode = "external", Issuer = "http://idp:8443/realms/skillvl" }))
            .On(
                "GET",
                "/realms/skillvl/.well-known/openid-configuration",
                Answers.RawJson(HttpStatusCode.OK, """{"token_endpoint":"http://idp:8443/realms/skillvl/token","device_authorization_endpoint":"http://idp:8443/realms/skillvl/device"}"""))
            .On(
                "POST",
                "/realms/skillvl/device",
                Answers.RawJson(HttpStatusCode.OK, """{"device_code":"d","user_code":"ABCD","verification_uri":"http://idp:8443/device","expires_in":600}"""))
            .On("POST", "/realms/skillvl/token", Answers.RawJson(HttpStatusCode.OK, """{"access_token":"kc"}"""))
            .On("GET", "/api/v1/me", Answers.Json(HttpStatusCode.OK, Answers.Me()));

        var run = await harness.RunAsync("login");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("Open http://idp:8443/device and enter code ABCD", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("http://idp:8443/realms/skillvl/token", ReadConfig(UserConfig)["oidc"]!["tokenEndpoint"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("access_denied", "denied")]
    [InlineData("expired_token", "expired")]
    [InlineData("invalid_client", "invalid_client")]
    public async Task Login_DeviceFlowEndsInError_ExitsErrorAndSavesNothing(string error, string message)
    {
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        ScriptIssuer(harness);
        harness.Handler.On("POST", "/connect/token", Answers.OAuthError("authorization_pending"), Answers.OAuthError(error));

        var run = await harness.RunAsync("login");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(UserConfig));
    }

    [Fact]
    public async Task Login_CodeNeverConfirmed_GivesUpWhenTheCodeExpires()
    {
        var clock = new InstantTimeProvider(Answers.Now);
        var harness = Harness(clock);
        ScriptIssuer(harness);
        harness.Handler.On("POST", "/connect/token", Answers.OAuthError("authorization_pending"));

        var run = await harness.RunAsync("login");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("the login code expired", run.Stderr, StringComparison.Ordinal);

        // expires_in 600 at an interval of 5 s: polls until then, not forever.
        Assert.InRange(harness.Handler.Requests.Count(r => r.Uri.AbsolutePath == "/connect/token"), 100, 120);
    }

    [Fact]
    public async Task Login_IssuerWithoutDeviceFlow_SaysToUseAnApiToken()
    {
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Handler
            .On("GET", "/api/v1/auth/config", Answers.Json(HttpStatusCode.OK, Config))
            .On("GET", "/.well-known/openid-configuration", Answers.RawJson(HttpStatusCode.OK, """{"token_endpoint":"http://127.0.0.1:8080/connect/token"}"""));

        var run = await harness.RunAsync("login");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("skillvl login --token", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_RoleNotMapped_ReportsTheServersReasonAndSavesNothing()
    {
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        ScriptIssuer(harness);
        harness.Handler
            .On("POST", "/connect/token", Answers.RawJson(HttpStatusCode.OK, """{"access_token":"at"}"""))
            .On("GET", "/api/v1/me", Answers.Problem(HttpStatusCode.Forbidden, "Forbidden", "no platform role: map realm role 'skillvl-student'"));

        var run = await harness.RunAsync("login");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("no platform role: map realm role 'skillvl-student'", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(UserConfig));
    }

    [Fact]
    public async Task Login_WithApiToken_ChecksItWithMeAndSavesItWithoutOidc()
    {
        var path = WriteFile(Path.Combine(directory, "named.json"), """{"server":"http://127.0.0.1:8080/","token":"at","oidc":{"refreshToken":"rt"}}""");
        var harness = Harness(TimeProvider.System);
        harness.Handler.On("GET", "/api/v1/me", Answers.Json(HttpStatusCode.OK, Answers.Me(authenticatedBy: "api-token")));

        var run = await harness.RunAsync("login", "--token", "svl_pat_abc", "--config", path);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("Bearer svl_pat_abc", harness.Handler.Requests.Single().Authorization);
        var saved = ReadConfig(path);
        Assert.Equal("svl_pat_abc", saved["token"]!.GetValue<string>());
        Assert.Null(saved["oidc"]);
    }

    [Fact]
    public async Task Login_WithApiTokenFromStdin_ReadsTheFirstLine()
    {
        var path = Path.Combine(directory, "new", "cli.json");
        var harness = Harness(TimeProvider.System, stdin: "svl_pat_from_stdin\n");
        harness.Handler.On("GET", "/api/v1/me", Answers.Json(HttpStatusCode.OK, Answers.Me(authenticatedBy: "api-token")));

        var run = await harness.RunAsync("login", "--token", "-", "--config", path);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("Bearer svl_pat_from_stdin", harness.Handler.Requests.Single().Authorization);
        Assert.Equal("svl_pat_from_stdin", ReadConfig(path)["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_WithApiTokenRefused_SavesNothing()
    {
        var harness = Harness(TimeProvider.System);
        harness.Handler.On("GET", "/api/v1/me", new HttpResponseMessage(HttpStatusCode.Unauthorized));

        var run = await harness.RunAsync("login", "--token", "svl_pat_revoked");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("refused the token", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(UserConfig));
    }

    [Fact]
    public async Task Login_NoServerAnywhere_ExitsUsage()
    {
        var harness = Harness(TimeProvider.System);
        harness.Environment.Clear();

        var run = await harness.RunAsync("login");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains("--server", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task Logout_RemovesCredentialsKeepsServerAndOtherFields()
    {
        WriteFile(UserConfig, """{"server":"http://127.0.0.1:8080/","token":"at","oidc":{"refreshToken":"rt"},"editor":"vim"}""");
        var harness = Harness(TimeProvider.System);

        var run = await harness.RunAsync("logout");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var saved = ReadConfig(UserConfig);
        Assert.Equal("http://127.0.0.1:8080/", saved["server"]!.GetValue<string>());
        Assert.Equal("vim", saved["editor"]!.GetValue<string>());
        Assert.Null(saved["token"]);
        Assert.Null(saved["oidc"]);
        Assert.Empty(harness.Handler.Requests);

        var again = await harness.RunAsync("logout");
        Assert.Contains("not logged in", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_SavedTokenRefused_RefreshesOnceRetriesAndSavesNewTokens()
    {
        SaveSession("at-old", "rt-1", Answers.Now.AddMinutes(30));
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Handler
            .On("GET", "/api/v1/rooms", new HttpResponseMessage(HttpStatusCode.Unauthorized), Answers.Json(HttpStatusCode.OK, Array.Empty<object>()))
            .On("POST", "/connect/token", Answers.RawJson(HttpStatusCode.OK, """{"access_token":"at-new","refresh_token":"rt-2","expires_in":300}"""));

        var run = await harness.RunAsync("room", "list", "-o", "json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var requests = harness.Handler.Requests;
        Assert.Equal(["GET /api/v1/rooms", "POST /connect/token", "GET /api/v1/rooms"], requests.Select(r => $"{r.Method} {r.Uri.AbsolutePath}"));
        Assert.Equal("Bearer at-old", requests[0].Authorization);
        Assert.Equal("grant_type=refresh_token&refresh_token=rt-1&client_id=skillvl-cli", requests[1].Body);
        Assert.Equal("Bearer at-new", requests[2].Authorization);

        var saved = ReadConfig(UserConfig);
        Assert.Equal("at-new", saved["token"]!.GetValue<string>());
        Assert.Equal("rt-2", saved["oidc"]!["refreshToken"]!.GetValue<string>());
        Assert.Equal(Answers.Now.AddSeconds(300), saved["oidc"]!["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("vim", saved["editor"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnyCommand_SavedTokenExpired_RefreshesBeforeTheRequest()
    {
        SaveSession("at-old", "rt-1", Answers.Now.AddMinutes(-5));
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Handler
            .On("POST", "/connect/token", Answers.RawJson(HttpStatusCode.OK, """{"access_token":"at-new","expires_in":300}"""))
            .On("POST", "/api/v1/rooms/net-basics/start", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t1", "succeeded", 1)));

        var run = await harness.RunAsync("room", "start", "net-basics");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(["POST /connect/token", "POST /api/v1/rooms/net-basics/start"], harness.Handler.Requests.Select(r => $"{r.Method} {r.Uri.AbsolutePath}"));
        Assert.Equal("Bearer at-new", harness.Handler.Requests[1].Authorization);

        // The issuer sent no new refresh token: the old one is kept.
        Assert.Equal("rt-1", ReadConfig(UserConfig)["oidc"]!["refreshToken"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnyCommand_RefreshRefused_SaysSessionExpiredAndExitsError()
    {
        SaveSession("at-old", "rt-1", Answers.Now.AddMinutes(30));
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Handler
            .On("GET", "/api/v1/nodes", new HttpResponseMessage(HttpStatusCode.Unauthorized))
            .On("POST", "/connect/token", Answers.OAuthError("invalid_grant", "Token is not active"));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.StartsWith("skillvl: session expired: run skillvl login", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("at-old", ReadConfig(UserConfig)["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnyCommand_AnotherSkillvlRenewedFirst_UsesTheTokensItSaved()
    {
        SaveSession("at-old", "rt-1", Answers.Now.AddMinutes(30));
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Handler
            .On("GET", "/api/v1/nodes", new HttpResponseMessage(HttpStatusCode.Unauthorized), Answers.Json(HttpStatusCode.OK, Array.Empty<object>()))
            .On("POST", "/connect/token", _ =>
            {
                // A parallel command renewed rt-1 a moment ago; the issuer rotated it, so it is spent.
                SaveSession("at-parallel", "rt-parallel", Answers.Now.AddMinutes(5));
                return Answers.OAuthError("invalid_grant");
            });

        var run = await harness.RunAsync("node", "list", "-o", "json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("Bearer at-parallel", harness.Handler.Requests[^1].Authorization);
    }

    [Fact]
    public async Task AnyCommand_SavedTokenRefusedWithoutRefreshToken_SaysSessionExpired()
    {
        SaveSession("at-old", refreshToken: null, Answers.Now.AddMinutes(30));
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Handler.On("GET", "/api/v1/nodes", new HttpResponseMessage(HttpStatusCode.Unauthorized));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Equal("skillvl: session expired: run skillvl login", run.Stderr.Trim());
        Assert.Single(harness.Handler.Requests);
    }

    [Fact]
    public async Task AnyCommand_RenewedTokenAlsoRefused_RefreshesOnlyOnce()
    {
        SaveSession("at-old", "rt-1", Answers.Now.AddMinutes(30));
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Handler
            .On("GET", "/api/v1/nodes", new HttpResponseMessage(HttpStatusCode.Unauthorized))
            .On("POST", "/connect/token", Answers.RawJson(HttpStatusCode.OK, """{"access_token":"at-new"}"""));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("401", run.Stderr, StringComparison.Ordinal);
        Assert.Single(harness.Handler.Requests, r => r.Uri.AbsolutePath == "/connect/token");
        Assert.Equal(2, harness.Handler.Requests.Count(r => r.Uri.AbsolutePath == "/api/v1/nodes"));
    }

    [Fact]
    public async Task AnyCommand_TokenFromEnvironment_IsNeverRefreshed()
    {
        SaveSession("at-old", "rt-1", Answers.Now.AddMinutes(-5));
        var harness = Harness(new InstantTimeProvider(Answers.Now));
        harness.Environment["SKILLVL_TOKEN"] = "env-token";
        harness.Handler.On("GET", "/api/v1/nodes", new HttpResponseMessage(HttpStatusCode.Unauthorized));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Equal("Bearer env-token", harness.Handler.Requests.Single().Authorization);
    }

    private CliHarness Harness(TimeProvider clock, string stdin = "")
    {
        var harness = new CliHarness { HomeDirectory = Home, TimeProvider = clock, Stdin = stdin };
        harness.Environment.Remove("SKILLVL_TOKEN");
        return harness;
    }

    private static void ScriptIssuer(CliHarness harness) =>
        harness.Handler
            .On("GET", "/api/v1/auth/config", Answers.Json(HttpStatusCode.OK, Config))
            .On(
                "GET",
                "/.well-known/openid-configuration",
                Answers.RawJson(
                    HttpStatusCode.OK,
                    """
                    {"issuer":"http://127.0.0.1:8080/","token_endpoint":"http://127.0.0.1:8080/connect/token",
                     "device_authorization_endpoint":"http://127.0.0.1:8080/connect/device"}
                    """))
            .On(
                "POST",
                "/connect/device",
                Answers.RawJson(
                    HttpStatusCode.OK,
                    """
                    {"device_code":"dev-1","user_code":"WDJB-MJHT","verification_uri":"http://127.0.0.1:8080/connect/verify",
                     "verification_uri_complete":"http://127.0.0.1:8080/connect/verify?user_code=WDJB-MJHT","expires_in":600,"interval":5}
                    """));

    private void SaveSession(string token, string? refreshToken, DateTimeOffset expiresAt)
    {
        var oidc = new JsonObject
        {
            ["issuer"] = Server + "/",
            ["tokenEndpoint"] = Server + "/connect/token",
            ["clientId"] = "skillvl-cli",
            ["refreshToken"] = refreshToken,
            ["expiresAt"] = expiresAt,
        };
        var file = new JsonObject { ["server"] = Server + "/", ["token"] = token, ["oidc"] = oidc, ["editor"] = "vim" };
        WriteFile(UserConfig, file.ToJsonString());
    }

    private static JsonNode ReadConfig(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    private static string WriteFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
