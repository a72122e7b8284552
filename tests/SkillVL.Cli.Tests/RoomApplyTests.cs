using System.Net;

namespace SkillVL.Cli.Tests;

public sealed class RoomApplyTests : IDisposable
{
    private const string RoomYaml =
        """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: net-basics }
        networks:
          - { name: lan, cidr: 10.0.1.0/24 }
        machines:
          - name: web
            template: tiny
            nics: [{ network: lan, ip: 10.0.1.10 }]

        """;

    private readonly string directory = Directory.CreateTempSubdirectory("skillvl-cli-apply-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Apply_TaskSucceeds_PutsYamlAsIsPollsAndExitsZero()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("PUT", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t1", "queued", 0)))
            .On(
                "GET",
                "/api/v1/tasks/t1",
                Answers.Json(HttpStatusCode.OK, Answers.Task("t1", "running", 0.5, null, "creating network lan")),
                Answers.Json(HttpStatusCode.OK, Answers.Task("t1", "succeeded", 1, "room ready", "creating network lan", "starting web")));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", RoomYaml));

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var put = harness.Handler.Requests[0];
        Assert.Equal("PUT", put.Method);
        Assert.Equal("http://127.0.0.1:8080/api/v1/rooms/net-basics", put.Uri.ToString());
        Assert.Equal("application/yaml", put.ContentType);
        Assert.Equal(RoomYaml, put.Body);
        Assert.Equal("Bearer secret", put.Authorization);
        Assert.Equal(2, harness.Handler.Requests.Count(r => r.Method == "GET" && r.Uri.AbsolutePath == "/api/v1/tasks/t1"));

        // Each log line once, in order, though the second poll repeats the first line.
        var lines = run.Stdout.Split('\n');
        Assert.Single(lines, l => l.EndsWith(" creating network lan", StringComparison.Ordinal));
        Assert.Single(lines, l => l.EndsWith(" starting web", StringComparison.Ordinal));
        Assert.Contains("task t1 succeeded: room ready", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_TaskFails_ExitsTaskFailedWithOutcomeOnStderr()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("PUT", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t2", "running", 0.1)))
            .On("GET", "/api/v1/tasks/t2", Answers.Json(HttpStatusCode.OK, Answers.Task("t2", "failed", 0.4, "web: qemu exited with status 1", "starting web")));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", RoomYaml));

        Assert.True(run.ExitCode == ExitCodes.TaskFailed, run.ToString());
        Assert.Contains("task t2 (room.apply room/net-basics) failed: web: qemu exited with status 1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("starting web", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_NoWait_PrintsTaskIdAndDoesNotPoll()
    {
        var harness = new CliHarness();
        harness.Handler.On("PUT", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t3", "queued", 0)));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", RoomYaml), "--no-wait");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("t3", run.Stdout.Trim());
        Assert.Single(harness.Handler.Requests);
    }

    [Fact]
    public async Task Apply_JsonFile_SentAsApplicationJson()
    {
        var json = """{"apiVersion":"skillvl.io/v1","kind":"Room","metadata":{"name":"net-basics"}}""";
        var harness = new CliHarness();
        harness.Handler.On("PUT", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t4", "succeeded", 1)));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.json", json));

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("application/json", harness.Handler.Requests[0].ContentType);
        Assert.Equal(json, harness.Handler.Requests[0].Body);
    }

    [Fact]
    public async Task Apply_DashFile_ReadsStdin()
    {
        var harness = new CliHarness { Stdin = RoomYaml };
        harness.Handler.On("PUT", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t5", "succeeded", 1)));

        var run = await harness.RunAsync("room", "apply", "-f", "-");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(RoomYaml, harness.Handler.Requests[0].Body);
        Assert.Equal("application/yaml", harness.Handler.Requests[0].ContentType);
    }

    [Fact]
    public async Task Apply_ValidationProblem_PrintsOneLinePerFieldAndExitsInvalidInput()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "PUT",
            "/api/v1/rooms/net-basics",
            Answers.Problem(
                HttpStatusCode.BadRequest,
                "One or more validation errors occurred.",
                errors: new Dictionary<string, string[]>
                {
                    ["machines[0].nics[0].ip"] = ["10.0.9.9 is outside lan (10.0.1.0/24)"],
                    ["machines[0].template"] = ["template 'huge' does not exist"],
                }));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", RoomYaml));

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("machines[0].nics[0].ip: 10.0.9.9 is outside lan (10.0.1.0/24)", lines);
        Assert.Contains("machines[0].template: template 'huge' does not exist", lines);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Apply_YamlDoesNotParse_ExitsInvalidInputWithoutCallingServer()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", "metadata: { name: x\nmachines: ["));

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("not valid YAML", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    [InlineData("- ", "")]
    public async Task Issue11_DeeplyNestedYaml_ExitsInvalidInputNotStackOverflow(string open, string close)
    {
        // 100000 levels (10000 when the thread had less stack): YamlDotNet's representation model recursed per level and overflowed the stack, which kills
        // the process (no catch); the Server refuses the same document at 64 levels.
        // Block sequences nest on one line too ("- - - x"), after the key's line.
        var nested = (open == "- " ? "\n" : "") + string.Concat(Enumerable.Repeat(open, 100_000)) + "x" + string.Concat(Enumerable.Repeat(close, 100_000));
        var harness = new CliHarness();

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", "metadata: { name: deep }\nmachines: " + nested + "\n"));

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("nested more than 64 levels deep", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task Issue11_DeeplyNestedJson_ExitsInvalidInput()
    {
        var harness = new CliHarness();
        var nested = string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.json", """{"metadata":{"name":"deep"},"machines":""" + nested + "}"));

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("not valid JSON", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task Apply_NameAfterNestedCollections_IsFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("PUT", "/api/v1/rooms/after", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t9", "queued", 0)));
        var yaml = "spec: { a: [[1, {b: [2]}]], name: wrong }\nmetadata:\n  labels: { name: wrong }\n  name: after\nname: wrong\n";

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", yaml), "--no-wait");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("/api/v1/rooms/after", harness.Handler.Requests[0].Uri.AbsolutePath);
    }

    [Fact]
    public async Task Apply_NoMetadataName_ExitsInvalidInput()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", "apiVersion: skillvl.io/v1\nkind: Room\n"));

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("metadata.name", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_FileMissing_ExitsInvalidInput()
    {
        var run = await new CliHarness().RunAsync("room", "apply", "-f", Path.Combine(directory, "nope.yaml"));

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("nope.yaml", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_TaskNeverEnds_GivesUpAfterTimeoutAndSaysHowToWatch()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("PUT", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t6", "running", 0.1)))
            .On("GET", "/api/v1/tasks/t6", Answers.Json(HttpStatusCode.OK, Answers.Task("t6", "running", 0.2)));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", RoomYaml), "--timeout", "200ms");

        Assert.True(run.ExitCode == ExitCodes.Error, run.ToString());
        Assert.Contains("skillvl task watch t6", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_PollFailsOnceThenRecovers_StillFollowsToTheEnd()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("PUT", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t7", "running", 0.1)))
            .On(
                "GET",
                "/api/v1/tasks/t7",
                _ => throw new HttpRequestException("Connection refused"),
                _ => Answers.Json(HttpStatusCode.OK, Answers.Task("t7", "succeeded", 1)));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", RoomYaml));

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
    }

    [Fact]
    public async Task Apply_OnTerminal_LiveDisplayShowsLogAndSucceeds()
    {
        var harness = new CliHarness { IsTerminal = true };
        harness.Handler
            .On("PUT", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t8", "running", 0.1)))
            .On("GET", "/api/v1/tasks/t8", Answers.Json(HttpStatusCode.OK, Answers.Task("t8", "succeeded", 1, "ready", "booting web [tcg]")));

        var run = await harness.RunAsync("room", "apply", "-f", WriteRoom("room.yaml", RoomYaml));

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("booting web [tcg]", run.Stdout, StringComparison.Ordinal);
    }

    private string WriteRoom(string fileName, string text)
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, text);
        return path;
    }
}
