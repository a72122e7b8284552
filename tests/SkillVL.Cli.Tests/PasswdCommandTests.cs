using System.Net;
using System.Text.Json;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Tests;

/// <summary><c>user passwd</c>: your own change (sessions end, API tokens as chosen) or an admin's reset (issue 11 finding 6).</summary>
public sealed class PasswdCommandTests
{
    [Fact]
    public async Task Own_ReadsCurrentAndNewFromStdin_KeepsApiTokensByDefault()
    {
        var harness = new CliHarness { Stdin = "old secret\nnew secret 123\n" };
        harness.Handler.On("POST", "/api/v1/me/password", new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("user", "passwd");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var body = Body(harness.Handler.Requests.Single());
        Assert.Equal("old secret", body.GetProperty("currentPassword").GetString());
        Assert.Equal("new secret 123", body.GetProperty("newPassword").GetString());
        Assert.False(body.GetProperty("revokeApiTokens").GetBoolean());
        Assert.Contains("all your login sessions ended", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("API tokens still work", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Own_RevokeApiTokens_AsksTheServerToRevokeThem()
    {
        var harness = new CliHarness { Stdin = "old secret\nnew secret 123\n" };
        harness.Handler.On("POST", "/api/v1/me/password", new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("user", "passwd", "--revoke-api-tokens");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.True(Body(harness.Handler.Requests.Single()).GetProperty("revokeApiTokens").GetBoolean());
        Assert.Contains("API tokens were revoked", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Own_OneLineOnStdin_ExitsInvalidWithoutCallingServer()
    {
        var harness = new CliHarness { Stdin = "only the current one\n" };

        var run = await harness.RunAsync("user", "passwd");

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("the new password", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task Own_Throttled_ExitsWithTheServersMessage()
    {
        var harness = new CliHarness { Stdin = "guess\nnew secret 123\n" };
        harness.Handler.On(
            "POST",
            "/api/v1/me/password",
            Answers.Problem((HttpStatusCode)429, "Too many wrong passwords", "Too many wrong passwords for this account from your address; try again in 5 seconds."));

        var run = await harness.RunAsync("user", "passwd");

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("try again in 5 seconds", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_GeneratesAndPrintsThePasswordOnce_SayingTokensAreRevoked()
    {
        var harness = new CliHarness();
        harness.Handler.On("PUT", "/api/v1/users/bob/password", Answers.Json(HttpStatusCode.OK, new CreatedUser(Answers.User("bob"), "Gen-Pass-77")));

        var run = await harness.RunAsync("user", "passwd", "bob");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(JsonValueKind.Null, Body(harness.Handler.Requests.Single()).GetProperty("password").ValueKind);
        Assert.Contains("API tokens were revoked", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("new password (shown only this once): Gen-Pass-77", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_PasswordStdin_SendsIt()
    {
        var harness = new CliHarness { Stdin = "chosen by admin\n" };
        harness.Handler.On("PUT", "/api/v1/users/bob/password", Answers.Json(HttpStatusCode.OK, new CreatedUser(Answers.User("bob"), null)));

        var run = await harness.RunAsync("user", "passwd", "bob", "--password-stdin");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("chosen by admin", Body(harness.Handler.Requests.Single()).GetProperty("password").GetString());
        Assert.DoesNotContain("shown only this once", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_WithRevokeApiTokens_IsAUsageErrorWithoutCallingServer()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("user", "passwd", "bob", "--revoke-api-tokens");

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("always revokes", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    private static JsonElement Body(RecordedRequest request)
    {
        using var document = JsonDocument.Parse(request.Body!);
        return document.RootElement.Clone();
    }
}
