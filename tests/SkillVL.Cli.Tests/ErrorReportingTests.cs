using System.Net;

namespace SkillVL.Cli.Tests;

public sealed class ErrorReportingTests
{
    [Fact]
    public async Task Get_RoomMissing_SaysNotFoundAndExitsNotFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/rooms/x", Answers.Problem(HttpStatusCode.NotFound, "Not found", "Room 'x' does not exist."));

        var run = await harness.RunAsync("room", "get", "x");

        Assert.True(run.ExitCode == ExitCodes.NotFound, run.ToString());
        Assert.Equal("skillvl: room 'x' not found", run.Stderr.Trim());
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Delete_RoomMissingPlain404_SaysNotFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/rooms/x", new HttpResponseMessage(HttpStatusCode.NotFound));

        var run = await harness.RunAsync("room", "delete", "x");

        Assert.True(run.ExitCode == ExitCodes.NotFound, run.ToString());
        Assert.Contains("room 'x' not found", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskGet_Missing_ExitsNotFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/tasks/nope", Answers.Problem(HttpStatusCode.NotFound, "Not Found"));

        var run = await harness.RunAsync("task", "get", "nope");

        Assert.True(run.ExitCode == ExitCodes.NotFound, run.ToString());
        Assert.Contains("task 'nope' not found", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_ServerUnreachable_ExitsUnreachableNamingTheUrl()
    {
        var harness = new CliHarness();
        harness.Environment["SKILLVL_SERVER"] = "http://10.9.9.9:8080";
        harness.Handler.On("GET", "/api/v1/rooms", _ => throw new HttpRequestException("Connection refused (10.9.9.9:8080)"));

        var run = await harness.RunAsync("room", "list");

        Assert.True(run.ExitCode == ExitCodes.ServerUnreachable, run.ToString());
        Assert.Contains("http://10.9.9.9:8080/", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Connection refused", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_NoServerConfigured_SaysToRunUpAndExitsNonZero()
    {
        var harness = new CliHarness();
        harness.Environment.Clear();

        var run = await harness.RunAsync("room", "list");

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("no SkillVL server configured: run `./skillvl up` on this machine, or pass --server/--token", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task AnyCommand_ServerFlagAfterVerb_IsUsedWithToken()
    {
        var harness = new CliHarness();
        harness.Environment.Clear();
        harness.Handler.On("GET", "/skillvl/api/v1/templates", Answers.Json(HttpStatusCode.OK, Array.Empty<object>()));

        var run = await harness.RunAsync("template", "list", "--server", "http://lab:9000/skillvl", "--token", "tok");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("http://lab:9000/skillvl/api/v1/templates", harness.Handler.Requests[0].Uri.ToString());
        Assert.Equal("Bearer tok", harness.Handler.Requests[0].Authorization);
    }

    [Fact]
    public async Task VmStart_Conflict_ExitsConflictWithDetail()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/rooms/r/machines/v/start", Answers.Problem(HttpStatusCode.Conflict, "Conflict", "room 'r' is being deleted"));

        var run = await harness.RunAsync("vm", "start", "r/v");

        Assert.True(run.ExitCode == ExitCodes.Conflict, run.ToString());
        Assert.Equal("skillvl: room 'r' is being deleted", run.Stderr.Trim());
    }

    [Fact]
    public async Task AnyCommand_Unauthorized_SaysCheckToken()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/nodes", new HttpResponseMessage(HttpStatusCode.Unauthorized));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("--token", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_ServerError_ExitsErrorWithProblemDetail()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/tasks", Answers.Problem(HttpStatusCode.InternalServerError, "Internal Server Error", "database is locked"));

        var run = await harness.RunAsync("task", "list");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("database is locked", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoomStop_PostsStopAndFollowsTask()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("POST", "/api/v1/rooms/net-basics/stop", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t10", "running", 0)))
            .On("GET", "/api/v1/tasks/t10", Answers.Json(HttpStatusCode.OK, Answers.Task("t10", "succeeded", 1)));

        var run = await harness.RunAsync("room", "stop", "net-basics");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
    }

    [Fact]
    public async Task Apply_WholeDocumentError_PrintsItsMessage()
    {
        var harness = new CliHarness { Stdin = "metadata: { name: x }\n" };
        harness.Handler.On(
            "PUT",
            "/api/v1/rooms/x",
            Answers.Problem(HttpStatusCode.BadRequest, "The room definition is not valid.", errors: new Dictionary<string, string[]> { ["document"] = ["line 3, column 1: bad"] }));

        var run = await harness.RunAsync("room", "apply", "-f", "-");

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("line 3, column 1: bad", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_OnlySystemConfigFile_UsesItsServerAndToken()
    {
        var directory = Directory.CreateTempSubdirectory("skillvl-cli-etc-").FullName;
        try
        {
            var path = Path.Combine(directory, "cli.json");
            await File.WriteAllTextAsync(path, """{"server":"http://127.0.0.1:8080","token":"from-up"}""");
            var harness = new CliHarness { SystemConfigPath = path };
            harness.Environment.Clear();
            harness.Handler.On("GET", "/api/v1/nodes", Answers.Json(HttpStatusCode.OK, Array.Empty<object>()));

            var run = await harness.RunAsync("node", "list", "-o", "json");

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.Equal("Bearer from-up", harness.Handler.Requests.Single().Authorization);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AnyCommand_AnswerOfUnexpectedShape_SaysSoWithoutStackTrace()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/rooms", Answers.Json(HttpStatusCode.OK, new { rooms = "none" }));

        var run = await harness.RunAsync("room", "list");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("not what this client expects", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }
}
