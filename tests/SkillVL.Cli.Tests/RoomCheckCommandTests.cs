using System.Net;
using SkillVL.Core.Api.Checks;

namespace SkillVL.Cli.Tests;

/// <summary>Issue 17: <c>skillvl room check ROOM [--last]</c> prints each check and exits 0 only when all pass.</summary>
public sealed class RoomCheckCommandTests
{
    private static readonly DateTimeOffset At = Answers.Now;

    [Fact]
    public async Task Check_AllPass_PrintsEachAndExitsZero()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/checks", Answers.Json(HttpStatusCode.OK, new[]
        {
            new CheckResultInfo("done", true, "exit status 0", At),
            new CheckResultInfo("a-reaches-b", true, "a reaches 10.20.0.11", At),
        }));

        var run = await harness.RunAsync("room", "check", "lab");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(["PASS  done: exit status 0", "PASS  a-reaches-b: a reaches 10.20.0.11"], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("all 2 checks passed", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("POST", harness.Handler.Requests.Single().Method);
    }

    [Fact]
    public async Task Check_OneFails_PrintsItsOutput_ExitsChecksFailed()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/alice%2Flab/checks", Answers.Json(HttpStatusCode.OK, new[]
        {
            new CheckResultInfo("done", false, "exit status 1, expected 0; output: no such file", At),
            new CheckResultInfo("a-reaches-b", true, "a reaches 10.20.0.11", At),
        }));

        var run = await harness.RunAsync("room", "check", "alice/lab");

        Assert.True(run.ExitCode == ExitCodes.ChecksFailed, run.ToString());
        Assert.Contains("FAIL  done: exit status 1, expected 0; output: no such file", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("PASS  a-reaches-b", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("skillvl: 1 of 2 checks of room 'alice/lab' failed", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(": done", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckLast_ReadsTheLatestResults_WithoutRunning()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/rooms/lab/checks", Answers.Json(HttpStatusCode.OK, new[] { new CheckResultInfo("done", true, "exit status 0", At) }));

        var run = await harness.RunAsync("room", "check", "lab", "--last");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("PASS  done: exit status 0", run.Stdout.Trim());
        Assert.Equal("GET", harness.Handler.Requests.Single().Method);
    }

    [Fact]
    public async Task CheckLast_NeverRan_SaysSo_NonZero()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/rooms/lab/checks", Answers.Json(HttpStatusCode.OK, Array.Empty<CheckResultInfo>()));

        var run = await harness.RunAsync("room", "check", "lab", "--last");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("have not run yet", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("skillvl room check lab", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_TooSoon_ShowsTheServersReason_NonZero()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/checks", Answers.Problem(
            HttpStatusCode.TooManyRequests, "Checks ran a moment ago", "The checks of room 'lab' ran a moment ago; run them again in 4 s."));

        var run = await harness.RunAsync("room", "check", "lab");

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("run them again in 4 s", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Check_JsonOutput_IsTheServersJson_AndTheExitCodeStillTellsTheVerdict()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/checks", Answers.Json(HttpStatusCode.OK, new[] { new CheckResultInfo("done", false, "exit status 1, expected 0", At) }));

        var run = await harness.RunAsync("room", "check", "lab", "-o", "json");

        Assert.True(run.ExitCode == ExitCodes.ChecksFailed, run.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(run.Stdout);
        Assert.False(document.RootElement[0].GetProperty("passed").GetBoolean());
    }
}
