using System.Net;
using System.Text.Json;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Tests;

/// <summary><c>user</c>, <c>token</c>, <c>whoami</c> and <c>audit</c>.</summary>
public sealed class IdentityCommandTests
{
    [Fact]
    public async Task UserAdd_NoPassword_PostsUserAndPrintsGeneratedPasswordOnce()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST",
            "/api/v1/users",
            Answers.Json(HttpStatusCode.Created, new CreatedUser(Answers.User("bob", PlatformRoles.Teacher), "Xq7-h2Lk-99")));

        var run = await harness.RunAsync("user", "add", "bob", "--role", "teacher", "--display-name", "Bob B.");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var body = Body(harness.Handler.Requests.Single());
        Assert.Equal("bob", body.GetProperty("username").GetString());
        Assert.Equal("teacher", body.GetProperty("role").GetString());
        Assert.Equal("Bob B.", body.GetProperty("displayName").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("password").ValueKind);
        Assert.Contains("user bob created (teacher)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("initial password (shown only this once): Xq7-h2Lk-99", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAdd_PasswordStdin_SendsItAndPrintsNoPassword()
    {
        var harness = new CliHarness { Stdin = "s3cret pass\n" };
        harness.Handler.On("POST", "/api/v1/users", Answers.Json(HttpStatusCode.Created, new CreatedUser(Answers.User("eve"), null)));

        var run = await harness.RunAsync("user", "add", "eve", "--role", "student", "--password-stdin");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("s3cret pass", Body(harness.Handler.Requests.Single()).GetProperty("password").GetString());
        Assert.DoesNotContain("password", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAdd_PasswordStdinEmpty_ExitsInvalidWithoutCallingServer()
    {
        var harness = new CliHarness { Stdin = "" };

        var run = await harness.RunAsync("user", "add", "eve", "--role", "student", "--password-stdin");

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("--password-stdin", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task UserAdd_UserExists_ExitsConflictWithDetail()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/users", Answers.Problem(HttpStatusCode.Conflict, "Conflict", "user 'bob' already exists"));

        var run = await harness.RunAsync("user", "add", "bob", "--role", "student");

        Assert.True(run.ExitCode == ExitCodes.Conflict, run.ToString());
        Assert.Equal("skillvl: user 'bob' already exists", run.Stderr.Trim());
    }

    [Fact]
    public async Task UserList_Table_ShowsRoleAndQuotaOverride()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "GET",
            "/api/v1/users",
            Answers.Json(HttpStatusCode.OK, new[] { Answers.User("admin", PlatformRoles.Admin), Answers.User("bob", quotaOverride: new QuotaLimits(Cpus: 4, MemoryBytes: 8L << 30)) }));

        var run = await harness.RunAsync("user", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("USERNAME", lines[0], StringComparison.Ordinal);
        Assert.Contains("default", lines[1], StringComparison.Ordinal);
        Assert.Contains("cpus=4 memory=8Gi", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserGet_Missing_ExitsNotFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/users/ghost", Answers.Problem(HttpStatusCode.NotFound, "Not Found", "User 'ghost' does not exist."));

        var run = await harness.RunAsync("user", "get", "ghost");

        Assert.True(run.ExitCode == ExitCodes.NotFound, run.ToString());
        Assert.Equal("skillvl: user 'ghost' not found", run.Stderr.Trim());
    }

    [Fact]
    public async Task UserDelete_Deletes()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/users/bob", new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("user", "delete", "bob");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("user bob deleted", run.Stdout.Trim());
    }

    [Fact]
    public async Task UserList_AsStudent_ExitsErrorSayingNotAllowed()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/users", Answers.Problem(HttpStatusCode.Forbidden, "Forbidden", "requires role admin"));

        var run = await harness.RunAsync("user", "list");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Equal("skillvl: not allowed (403): requires role admin", run.Stderr.Trim());
    }

    [Fact]
    public async Task UserQuota_SomeLimits_KeepsTheOtherOverridesAndPuts()
    {
        var harness = new CliHarness();
        var before = Answers.User("bob", quotaOverride: new QuotaLimits(Cpus: 2, DiskBytes: 10L << 30, RunningVms: 3));
        var after = Answers.User("bob", quotaOverride: new QuotaLimits(8, 4L << 30, 10L << 30, null));
        harness.Handler
            .On("GET", "/api/v1/users/bob", Answers.Json(HttpStatusCode.OK, before))
            .On("PUT", "/api/v1/users/bob/quota", Answers.Json(HttpStatusCode.OK, after));

        var run = await harness.RunAsync("user", "quota", "bob", "--cpus", "8", "--memory", "4GiB", "--running-vms", "default");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var put = harness.Handler.Requests.Single(r => r.Method == "PUT");
        Assert.Equal("application/json", put.ContentType);
        var limits = JsonSerializer.Deserialize<QuotaLimits>(put.Body!, Http.ApiJson.Options);
        Assert.Equal(new QuotaLimits(8, 4L << 30, 10L << 30, null), limits);
        Assert.Contains("4Gi", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserQuota_NoLimitsGiven_ShowsTheOverrideWithoutChangingIt()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/users/bob", Answers.Json(HttpStatusCode.OK, Answers.User("bob", quotaOverride: new QuotaLimits(Cpus: 2))));

        var run = await harness.RunAsync("user", "quota", "bob");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Single(harness.Handler.Requests);
        Assert.Contains("default", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--memory", "4XB")]
    [InlineData("--memory", "1.5Gi")]
    [InlineData("--disk", "lots")]
    [InlineData("--cpus", "two")]
    [InlineData("--running-vms", "-1")]
    public async Task UserQuota_BadValue_ExitsInvalidNamingTheOptionWithoutCallingServer(string option, string value)
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("user", "quota", "bob", option, value);

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.StartsWith($"skillvl: {option}: '{value}'", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task TokenCreate_PrintsOnlyTheSecretOnStdout()
    {
        var harness = new CliHarness();
        var info = new ApiTokenInfo("tk-1", "ci", ["read"], Answers.Now, Answers.Now.AddDays(30), null);
        harness.Handler.On("POST", "/api/v1/tokens", Answers.Json(HttpStatusCode.Created, new CreatedApiToken(info, "svl_pat_abcdef")));

        var run = await harness.RunAsync("token", "create", "ci", "--scope", "read", "--expires-in-days", "30");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("svl_pat_abcdef\n", run.Stdout.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Contains("shown only this once", run.Stderr, StringComparison.Ordinal);
        var body = Body(harness.Handler.Requests.Single());
        Assert.Equal("ci", body.GetProperty("name").GetString());
        Assert.Equal(["read"], body.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(30, body.GetProperty("expiresInDays").GetInt32());
    }

    [Fact]
    public async Task TokenCreate_NoScope_LeavesTheDefaultToTheServer()
    {
        var harness = new CliHarness();
        var info = new ApiTokenInfo("tk-2", "ci", ["read", "write"], Answers.Now, null, null);
        harness.Handler.On("POST", "/api/v1/tokens", Answers.Json(HttpStatusCode.Created, new CreatedApiToken(info, "svl_pat_x")));

        var run = await harness.RunAsync("token", "create", "ci");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var body = Body(harness.Handler.Requests.Single());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("scopes").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("expiresInDays").ValueKind);
    }

    [Fact]
    public async Task TokenListAndRevoke()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("GET", "/api/v1/tokens", Answers.Json(HttpStatusCode.OK, new[] { new ApiTokenInfo("tk-1", "ci", ["read", "write"], Answers.Now, null, null) }))
            .On("DELETE", "/api/v1/tokens/tk-1", new HttpResponseMessage(HttpStatusCode.NoContent))
            .On("DELETE", "/api/v1/tokens/tk-9", Answers.Problem(HttpStatusCode.NotFound, "Not Found"));

        var list = await harness.RunAsync("token", "list");
        var revoke = await harness.RunAsync("token", "revoke", "tk-1");
        var missing = await harness.RunAsync("token", "revoke", "tk-9");

        Assert.True(list.ExitCode == ExitCodes.Ok, list.ToString());
        Assert.Contains("read,write", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("never", list.Stdout, StringComparison.Ordinal);
        Assert.True(revoke.ExitCode == ExitCodes.Ok, revoke.ToString());
        Assert.Equal("token tk-1 revoked", revoke.Stdout.Trim());
        Assert.True(missing.ExitCode == ExitCodes.NotFound, missing.ToString());
        Assert.Equal("skillvl: token 'tk-9' not found", missing.Stderr.Trim());
    }

    [Fact]
    public async Task WhoAmI_Table_ShowsUserRoleAuthAndQuotaInHumanUnits()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/me", Answers.Json(HttpStatusCode.OK, Answers.Me(authenticatedBy: "api-token")));

        var run = await harness.RunAsync("whoami");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
        Assert.Contains(lines, l => l.StartsWith("User:", StringComparison.Ordinal) && l.EndsWith("alice (Alice Example)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Role:", StringComparison.Ordinal) && l.EndsWith("teacher", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("api-token (scopes: read, write)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("memory", StringComparison.Ordinal) && l.Contains("2Gi", StringComparison.Ordinal) && l.EndsWith("8Gi", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("disk", StringComparison.Ordinal) && l.Contains("20Gi", StringComparison.Ordinal) && l.EndsWith("unlimited", StringComparison.Ordinal));
        Assert.Equal("Bearer secret", harness.Handler.Requests.Single().Authorization);
    }

    [Fact]
    public async Task WhoAmI_NotLoggedIn_SaysToLogIn()
    {
        var harness = new CliHarness();
        harness.Environment.Remove("SKILLVL_TOKEN");
        harness.Handler.On("GET", "/api/v1/me", new HttpResponseMessage(HttpStatusCode.Unauthorized));

        var run = await harness.RunAsync("whoami");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("skillvl login", run.Stderr, StringComparison.Ordinal);
        Assert.Null(harness.Handler.Requests.Single().Authorization);
    }

    [Fact]
    public async Task AuditList_Filters_GoInTheQueryWithSinceRelativeToNow()
    {
        var harness = new CliHarness { TimeProvider = new InstantTimeProvider(Answers.Now) };
        var entry = new AuditEntry(7, Answers.Now, "u-bob", "bob", "student", "exec", "room=lab1 machine=web", "10.0.0.5", "ok", null);
        harness.Handler.On("GET", "/api/v1/audit", Answers.Json(HttpStatusCode.OK, new[] { entry }));

        var run = await harness.RunAsync("audit", "list", "--user", "bob", "--action", "POST /api", "--since", "1h", "--limit", "5");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(
            "?user=bob&action=POST%20%2Fapi&since=2025-11-25T09%3A00%3A00Z&limit=5",
            harness.Handler.Requests.Single().Uri.Query);
        Assert.Contains("room=lab1 machine=web", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("10.0.0.5", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditList_SinceIsoTime_SentInUtc()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/audit", Answers.Json(HttpStatusCode.OK, Array.Empty<AuditEntry>()));

        var run = await harness.RunAsync("audit", "list", "--since", "2026-11-25T09:00:00+01:00");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("?since=2026-11-25T08%3A00%3A00Z", harness.Handler.Requests.Single().Uri.Query);
    }

    [Fact]
    public async Task AuditList_NoFilters_NoQuery()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/audit", Answers.Json(HttpStatusCode.OK, Array.Empty<AuditEntry>()));

        var run = await harness.RunAsync("audit", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("", harness.Handler.Requests.Single().Uri.Query);
    }

    [Theory]
    [InlineData("whoami")]
    [InlineData("user", "list")]
    [InlineData("user", "get", "bob")]
    [InlineData("user", "quota", "bob")]
    [InlineData("token", "list")]
    [InlineData("audit", "list")]
    public async Task Json_Output_IsOnlyTheServersJsonIndented(params string[] args)
    {
        var harness = new CliHarness();
        harness.Handler
            .On("GET", "/api/v1/me", Answers.Json(HttpStatusCode.OK, Answers.Me()))
            .On("GET", "/api/v1/users", Answers.Json(HttpStatusCode.OK, new[] { Answers.User("bob") }))
            .On("GET", "/api/v1/users/bob", Answers.Json(HttpStatusCode.OK, Answers.User("bob")))
            .On("GET", "/api/v1/tokens", Answers.Json(HttpStatusCode.OK, new[] { new ApiTokenInfo("tk-1", "ci", ["read"], Answers.Now, null, null) }))
            .On("GET", "/api/v1/audit", Answers.Json(HttpStatusCode.OK, new[] { new AuditEntry(1, Answers.Now, null, null, null, "login", null, null, "failed", "bad password") }));

        var run = await harness.RunAsync([.. args, "-o", "json"]);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        using var document = JsonDocument.Parse(run.Stdout);
        Assert.Contains("\n  ", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    private static JsonElement Body(RecordedRequest request)
    {
        Assert.Equal("application/json", request.ContentType);
        using var document = JsonDocument.Parse(request.Body!);
        return document.RootElement.Clone();
    }
}
