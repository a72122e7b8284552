using System.Net;

namespace SkillVL.Cli.Tests;

/// <summary>Issue 17: a course's title is changed after its creation, from the web and from the CLI.</summary>
public sealed class CourseTitleCommandTests
{
    [Fact]
    public async Task CourseUpdate_Title_IsSentAndShown()
    {
        var harness = new CliHarness();
        harness.Handler.On("PATCH", "/api/v1/courses/net101", Answers.Json(HttpStatusCode.OK, Answers.Course() with { Title = "Networks 101, spring" }));

        var run = await harness.RunAsync("course", "update", "net101", "--title", "Networks 101, spring");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("\"title\":\"Networks 101, spring\"", harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
        Assert.Contains("course net101: title 'Networks 101, spring'", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CourseUpdate_TitleTooLong_IsAUsageError_NothingSent()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("course", "update", "net101", "--title", new string('x', 201));

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--title", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }
}
