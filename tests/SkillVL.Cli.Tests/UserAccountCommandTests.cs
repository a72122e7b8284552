using System.Net;
using System.Text.Json;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Tests;

/// <summary><c>user set-role|disable|enable</c> (issue 17 Deliver 3): what is sent, what is said, the exit code of a refusal.</summary>
public sealed class UserAccountCommandTests
{
    [Fact]
    public async Task SetRole_SendsTheRole_AndSaysTheNewOne()
    {
        var harness = new CliHarness();
        harness.Handler.On("PUT", "/api/v1/users/bob/role", Answers.Json(HttpStatusCode.OK, Answers.User("bob", PlatformRoles.Teacher)));

        var run = await harness.RunAsync("user", "set-role", "bob", "teacher");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        using var body = JsonDocument.Parse(harness.Handler.Requests.Single().Body!);
        Assert.Equal("teacher", body.RootElement.GetProperty("role").GetString());
        Assert.Contains("user bob is now teacher", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetRole_UnknownRole_IsAUsageErrorWithoutCallingServer()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("user", "set-role", "bob", "wizard");

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("wizard", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task SetRole_OwnRole_ExitsConflictWithTheServersMessage()
    {
        var harness = new CliHarness();
        harness.Handler.On("PUT", "/api/v1/users/admin/role", Answers.Problem(HttpStatusCode.Conflict, "Conflict", "You cannot change your own role; another admin must."));

        var run = await harness.RunAsync("user", "set-role", "admin", "student");

        Assert.Equal(ExitCodes.Conflict, run.ExitCode);
        Assert.Contains("another admin must", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disable_PostsAndSaysWhatItMeans()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/users/sam/disable", Answers.Json(HttpStatusCode.OK, Answers.User("sam") with { DisabledAt = Answers.Now }));

        var run = await harness.RunAsync("user", "disable", "sam");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Single(harness.Handler.Requests);
        Assert.Contains("user sam disabled", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("rooms and VMs are left as they are", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disable_NotAnAdmin_ExitsNonZeroWithTheServersMessage()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/users/sam/disable", Answers.Problem(HttpStatusCode.Forbidden, "Forbidden", "Only an admin can disable accounts."));

        var run = await harness.RunAsync("user", "disable", "sam");

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("Only an admin can disable accounts.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enable_Posts_AndListShowsTheState()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/users/sam/enable", Answers.Json(HttpStatusCode.OK, Answers.User("sam")));
        harness.Handler.On("GET", "/api/v1/users", Answers.Json(HttpStatusCode.OK, new[] { Answers.User("sam"), Answers.User("eve") with { DisabledAt = Answers.Now } }));

        var enable = await harness.RunAsync("user", "enable", "sam");
        var list = await harness.RunAsync("user", "list");

        Assert.True(enable.ExitCode == ExitCodes.Ok, enable.ToString());
        Assert.Contains("user sam enabled", enable.Stdout, StringComparison.Ordinal);
        Assert.True(list.ExitCode == ExitCodes.Ok, list.ToString());
        var eve = list.Stdout.Split('\n').Single(l => l.StartsWith("eve", StringComparison.Ordinal));
        Assert.Contains("disabled", eve, StringComparison.Ordinal);
        Assert.Contains("enabled", list.Stdout.Split('\n').Single(l => l.StartsWith("sam", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
