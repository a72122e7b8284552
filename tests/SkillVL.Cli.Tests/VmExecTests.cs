using System.Net;
using System.Text.Json;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Tests;

public sealed class VmExecTests
{
    [Fact]
    public async Task Exec_GuestExitsThree_PassesOutputThroughAndExitsThree()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST",
            "/api/v1/rooms/net-basics/machines/web/exec",
            Answers.Json(HttpStatusCode.OK, new ExecResponse(3, "line one\nno newline at end", "warning: x\n", OutputTruncated: false)));

        var run = await harness.RunAsync("vm", "exec", "net-basics/web", "--timeout", "1m", "--", "sh", "-c", "echo hi; exit 3");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("line one\nno newline at end", run.Stdout);
        Assert.Equal("warning: x\n", run.Stderr);

        var request = harness.Handler.Requests.Single();
        Assert.Equal("application/json", request.ContentType);
        using var body = JsonDocument.Parse(request.Body!);
        Assert.Equal(["sh", "-c", "echo hi; exit 3"], body.RootElement.GetProperty("command").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("00:01:00", body.RootElement.GetProperty("timeout").GetString());
    }

    [Fact]
    public async Task Exec_ArgumentsLookLikeOptionsOrResponseFiles_ReachTheGuestAsTyped()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/rooms/r/machines/v/exec", Answers.Json(HttpStatusCode.OK, new ExecResponse(0, "", "", OutputTruncated: false)));

        var run = await harness.RunAsync("vm", "exec", "r/v", "--", "ls", "-la", "--help", "@home", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var body = JsonDocument.Parse(harness.Handler.Requests.Single().Body!);
        Assert.Equal(
            ["ls", "-la", "--help", "@home", "-o", "json"],
            body.RootElement.GetProperty("command").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Issue11_Exec_TimedOut_SaysTheProgramWasKilled_ExitsWithItsCode()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/rooms/r/machines/v/exec", Answers.Json(HttpStatusCode.OK, new ExecResponse(137, "so far", "", OutputTruncated: false, TimedOut: true)));

        var run = await harness.RunAsync("vm", "exec", "r/v", "--timeout", "2s", "--", "sh", "-c", "while :; do :; done");

        Assert.Equal(137, run.ExitCode);
        Assert.Contains("killed in the guest", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_OutputTruncated_SaysSoOnStderr()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/rooms/r/machines/v/exec", Answers.Json(HttpStatusCode.OK, new ExecResponse(0, "aaaa", "", OutputTruncated: true)));

        var run = await harness.RunAsync("vm", "exec", "r/v", "--", "cat", "/dev/zero");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("truncated", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_MachineNotRunning_ExitsConflict()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/rooms/r/machines/v/exec", Answers.Problem(HttpStatusCode.Conflict, "Conflict", "machine 'v' is stopped"));

        var run = await harness.RunAsync("vm", "exec", "r/v", "--", "true");

        Assert.True(run.ExitCode == ExitCodes.Conflict, run.ToString());
        Assert.Contains("machine 'v' is stopped", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_GuestAgentSilent_ExitsErrorWithDetail()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST",
            "/api/v1/rooms/r/machines/v/exec",
            Answers.Problem(HttpStatusCode.ServiceUnavailable, "Service Unavailable", "the guest agent of 'v' did not answer"));

        var run = await harness.RunAsync("vm", "exec", "r/v", "--", "true");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("guest agent", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VmRestart_PostsActionAndFollowsTask()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("POST", "/api/v1/rooms/r/machines/v/restart", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t9", "queued", 0)))
            .On("GET", "/api/v1/tasks/t9", Answers.Json(HttpStatusCode.OK, Answers.Task("t9", "succeeded", 1)));

        var run = await harness.RunAsync("vm", "restart", "r/v");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("POST", harness.Handler.Requests[0].Method);
    }
}
