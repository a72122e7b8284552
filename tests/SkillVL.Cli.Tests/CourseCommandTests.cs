using System.Net;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;

namespace SkillVL.Cli.Tests;

/// <summary><c>course ...</c>, <c>room reset|upgrade</c> and the course columns of <c>room list</c>.</summary>
public sealed class CourseCommandTests : IDisposable
{
    private const string RoomYaml =
        """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: net-basics }
        machines:
          - { name: web, template: tiny }

        """;

    private readonly string directory = Directory.CreateTempSubdirectory("skillvl-cli-course-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Create_WithTitleAndQuota_PostsThem()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/courses", Answers.Json(HttpStatusCode.Created, Answers.Course()));

        var run = await harness.RunAsync(
            "course", "create", "net101", "--title", "Networking 101", "--cpus", "24", "--memory", "48Gi", "--disk", "200GB", "--running-vms", "30");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var body = Body(harness.Handler.Requests.Single());
        Assert.Equal("net101", body.GetProperty("name").GetString());
        Assert.Equal("Networking 101", body.GetProperty("title").GetString());
        var quota = body.GetProperty("quota");
        Assert.Equal(24, quota.GetProperty("cpus").GetInt32());
        Assert.Equal(48L << 30, quota.GetProperty("memoryBytes").GetInt64());
        Assert.Equal(200_000_000_000L, quota.GetProperty("diskBytes").GetInt64());
        Assert.Equal(30, quota.GetProperty("runningVms").GetInt32());
        Assert.Contains("course net101 created", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_NoQuota_SendsNullQuota()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/courses", Answers.Json(HttpStatusCode.Created, Answers.Course()));

        var run = await harness.RunAsync("course", "create", "net101");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(JsonValueKind.Null, Body(harness.Handler.Requests.Single()).GetProperty("quota").ValueKind);
    }

    [Theory]
    [InlineData("--disk", "20 GiB")]
    [InlineData("--memory", "default")]
    [InlineData("--cpus", "2.5")]
    public async Task Create_BadQuotaValue_ExitsInvalidWithoutCallingServer(string option, string value)
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("course", "create", "net101", option, value);

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains(option, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task ListAndGet_Tables()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("GET", "/api/v1/courses", Answers.Json(HttpStatusCode.OK, new[] { Answers.Course() }))
            .On("GET", "/api/v1/courses/net101", Answers.Json(HttpStatusCode.OK, Answers.Course()));

        var list = await harness.RunAsync("course", "list");
        var get = await harness.RunAsync("course", "get", "net101");

        Assert.True(list.ExitCode == ExitCodes.Ok, list.ToString());
        var lines = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.Contains("Networking 101", lines[1], StringComparison.Ordinal);
        Assert.Contains("v2", lines[1], StringComparison.Ordinal);
        Assert.Contains("cpus=24", lines[1], StringComparison.Ordinal);
        Assert.True(get.ExitCode == ExitCodes.Ok, get.ToString());
        Assert.Contains("alice", get.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_CourseOfAnotherTeacher_ExitsNotFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/courses/sec201", Answers.Problem(HttpStatusCode.NotFound, "Not Found", "Course 'sec201' does not exist."));

        var run = await harness.RunAsync("course", "get", "sec201");

        Assert.True(run.ExitCode == ExitCodes.NotFound, run.ToString());
        Assert.Equal("skillvl: course 'sec201' not found", run.Stderr.Trim());
    }

    [Fact]
    public async Task Delete_Deletes()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/courses/net101", new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("course", "delete", "net101");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("course net101 deleted", run.Stdout.Trim());
    }

    [Fact]
    public async Task Enrol_PostsUsernamesAndShowsStudents()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST",
            "/api/v1/courses/net101/students",
            Answers.Json(
                HttpStatusCode.OK,
                new[]
                {
                    new StudentInfo("u-bob", "bob", Answers.Now.AddHours(-1), Answers.Instance("bob")),
                    new StudentInfo("u-eve", "eve", Answers.Now, null),
                }));

        var run = await harness.RunAsync("course", "enrol", "net101", "bob", "eve");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var body = Body(harness.Handler.Requests.Single());
        Assert.Equal(["bob", "eve"], body.GetProperty("usernames").EnumerateArray().Select(e => e.GetString()));
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("r-bob", lines[1], StringComparison.Ordinal);
        Assert.Contains("v2", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("eve", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrol_UnknownUser_ExitsNotFoundWithTheServersDetail()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/courses/net101/students", Answers.Problem(HttpStatusCode.NotFound, "Not Found", "User 'ghost' does not exist."));

        var run = await harness.RunAsync("course", "enrol", "net101", "bob", "ghost");

        Assert.True(run.ExitCode == ExitCodes.NotFound, run.ToString());
        Assert.Equal("skillvl: course 'net101': User 'ghost' does not exist.", run.Stderr.Trim());
    }

    [Fact]
    public async Task Unenrol_DeletesTheStudent()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/courses/net101/students/bob", new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("course", "unenrol", "net101", "bob");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("bob unenrolled from course net101", run.Stdout.Trim());
    }

    [Fact]
    public async Task Invite_PostsLimitsAndPrintsOnlyTheCodeOnStdout()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/courses/net101/invites", Answers.Json(HttpStatusCode.Created, new InviteInfo("K3Y-9QZ", "net101", Answers.Now.AddDays(1), 30)));

        var run = await harness.RunAsync("course", "invite", "net101", "--expires-in-hours", "24", "--max-uses", "30");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("K3Y-9QZ", run.Stdout.Trim());
        Assert.Contains("skillvl course join K3Y-9QZ", run.Stderr, StringComparison.Ordinal);
        var body = Body(harness.Handler.Requests.Single());
        Assert.Equal(24, body.GetProperty("expiresInHours").GetInt32());
        Assert.Equal(30, body.GetProperty("maxUses").GetInt32());
    }

    [Fact]
    public async Task Join_RedeemsTheCode()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/invites/redeem", Answers.Json(HttpStatusCode.OK, Answers.Course()));

        var run = await harness.RunAsync("course", "join", "K3Y-9QZ");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("K3Y-9QZ", Body(harness.Handler.Requests.Single()).GetProperty("code").GetString());
        Assert.Contains("joined course net101 (Networking 101)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_CodeUsedUp_ReportsTheServersReason()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST",
            "/api/v1/invites/redeem",
            Answers.Problem(HttpStatusCode.BadRequest, "Bad Request", "the invite code has been used up"));

        var run = await harness.RunAsync("course", "join", "K3Y-9QZ");

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Equal("skillvl: invite code 'K3Y-9QZ': the invite code has been used up", run.Stderr.Trim());
    }

    [Fact]
    public async Task Publish_PostsTheDocumentAsIsAsYaml()
    {
        var path = Path.Combine(directory, "room.yaml");
        await File.WriteAllTextAsync(path, RoomYaml);
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/courses/net101/versions", Answers.Json(HttpStatusCode.Created, new CourseVersionInfo(3, "net-basics", Answers.Now, 2)));

        var run = await harness.RunAsync("course", "publish", "net101", "-f", path);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var request = harness.Handler.Requests.Single();
        Assert.Equal("application/yaml", request.ContentType);
        Assert.Equal(RoomYaml, request.Body);
        Assert.Equal("course net101: published version 3 (room net-basics); 2 instances created", run.Stdout.Trim());
    }

    [Fact]
    public async Task Publish_FromStdin()
    {
        var harness = new CliHarness { Stdin = RoomYaml };
        harness.Handler.On(
            "POST", "/api/v1/courses/net101/versions", Answers.Json(HttpStatusCode.Created, new CourseVersionInfo(1, "net-basics", Answers.Now, 1)));

        var run = await harness.RunAsync("course", "publish", "net101", "-f", "-");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(RoomYaml, harness.Handler.Requests.Single().Body);
    }

    [Fact]
    public async Task Publish_QuotaExceeded_ExitsInvalidNamingTheQuota()
    {
        var harness = new CliHarness { Stdin = RoomYaml };
        harness.Handler.On(
            "POST",
            "/api/v1/courses/net101/versions",
            Answers.Problem(HttpStatusCode.UnprocessableEntity, "Quota exceeded", "course net101: memory quota 48Gi exceeded by 6Gi"));

        var run = await harness.RunAsync("course", "publish", "net101", "-f", "-");

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Equal("skillvl: course 'net101': course net101: memory quota 48Gi exceeded by 6Gi", run.Stderr.Trim());
    }

    [Fact]
    public async Task Publish_DocumentInvalidLocally_ExitsInvalidWithoutCallingServer()
    {
        var harness = new CliHarness { Stdin = "kind: Room\n" };

        var run = await harness.RunAsync("course", "publish", "net101", "-f", "-");

        Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
        Assert.Contains("metadata.name", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task VersionsStudentsInstances_Tables()
    {
        var harness = new CliHarness();
        harness.Handler
            .On("GET", "/api/v1/courses/net101/versions", Answers.Json(HttpStatusCode.OK, new[] { new CourseVersionInfo(1, "net-basics", Answers.Now, 3) }))
            .On("GET", "/api/v1/courses/net101/students", Answers.Json(HttpStatusCode.OK, new[] { new StudentInfo("u-bob", "bob", Answers.Now, null) }))
            .On("GET", "/api/v1/courses/net101/instances", Answers.Json(HttpStatusCode.OK, new[]
            {
                Answers.Instance("bob", 1) with { Checks = new(1, 2, Answers.Now), LastActivity = Answers.Now, LastActivityWhat = "console vnc on web" },
            }));

        var versions = await harness.RunAsync("course", "versions", "net101");
        var students = await harness.RunAsync("course", "students", "net101");
        var instances = await harness.RunAsync("course", "instances", "net101");

        Assert.True(versions.ExitCode == ExitCodes.Ok, versions.ToString());
        Assert.StartsWith("VERSION", versions.Stdout, StringComparison.Ordinal);
        Assert.True(students.ExitCode == ExitCodes.Ok, students.ToString());
        Assert.Contains("bob", students.Stdout, StringComparison.Ordinal);
        Assert.True(instances.ExitCode == ExitCodes.Ok, instances.ToString());
        var line = instances.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.Contains("r-bob", line, StringComparison.Ordinal);
        Assert.Contains("1/2 running", line, StringComparison.Ordinal);
        // The class view's columns (issue 17): the latest check run and the last activity, with what it was.
        Assert.Contains("1/2 passed", line, StringComparison.Ordinal);
        Assert.Contains("ago: console vnc on web", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("course", "list")]
    [InlineData("course", "get", "net101")]
    [InlineData("course", "students", "net101")]
    [InlineData("course", "versions", "net101")]
    [InlineData("course", "instances", "net101")]
    public async Task Json_Output_IsOnlyTheServersJsonIndented(params string[] args)
    {
        var harness = new CliHarness();
        harness.Handler
            .On("GET", "/api/v1/courses", Answers.Json(HttpStatusCode.OK, new[] { Answers.Course() }))
            .On("GET", "/api/v1/courses/net101", Answers.Json(HttpStatusCode.OK, Answers.Course()))
            .On("GET", "/api/v1/courses/net101/students", Answers.Json(HttpStatusCode.OK, new[] { new StudentInfo("u-bob", "bob", Answers.Now, Answers.Instance("bob")) }))
            .On("GET", "/api/v1/courses/net101/versions", Answers.Json(HttpStatusCode.OK, new[] { new CourseVersionInfo(1, "net-basics", Answers.Now, 3) }))
            .On("GET", "/api/v1/courses/net101/instances", Answers.Json(HttpStatusCode.OK, new[] { Answers.Instance("bob") }));

        var run = await harness.RunAsync([.. args, "-o", "json"]);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        using var document = JsonDocument.Parse(run.Stdout);
        Assert.Contains("\n  ", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Theory]
    [InlineData("reset")]
    [InlineData("upgrade")]
    public async Task RoomResetUpgrade_PostsAndFollowsTheTask(string action)
    {
        var harness = new CliHarness();
        harness.Handler
            .On("POST", $"/api/v1/rooms/r-bob/{action}", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t1", "queued", 0)))
            .On("GET", "/api/v1/tasks/t1", Answers.Json(HttpStatusCode.OK, Answers.Task("t1", "succeeded", 1, "done")));

        var run = await harness.RunAsync("room", action, "r-bob");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Null(harness.Handler.Requests[0].Body);
        Assert.Contains("task t1 succeeded: done", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoomReset_NoWait_PrintsTaskId()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/r-bob/reset", Answers.Json(HttpStatusCode.Accepted, Answers.Task("t2", "queued", 0)));

        var run = await harness.RunAsync("room", "reset", "r-bob", "--no-wait");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("t2", run.Stdout.Trim());
    }

    [Fact]
    public async Task RoomUpgrade_OtherStudentsRoom_ExitsNotFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/r-eve/upgrade", Answers.Problem(HttpStatusCode.NotFound, "Not Found"));

        var run = await harness.RunAsync("room", "upgrade", "r-eve");

        Assert.True(run.ExitCode == ExitCodes.NotFound, run.ToString());
        Assert.Equal("skillvl: room 'r-eve' not found", run.Stderr.Trim());
    }

    [Fact]
    public async Task RoomList_WithOwnerAndCourse_ShowsThoseColumns()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "GET",
            "/api/v1/rooms",
            Answers.Json(
                HttpStatusCode.OK,
                new[]
                {
                    new RoomSummary("r-1", "net-basics", "Ready", 2, 2, 1, Answers.Now, "bob", "net101", 2),
                    new RoomSummary("r-2", "scratch", "Stopped", 1, 0, 1, Answers.Now, "alice"),
                }));

        var run = await harness.RunAsync("room", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+OWNER\s+COURSE\s+PHASE", lines[0]);
        Assert.Matches(@"^net-basics\s+bob\s+net101 v2\s+Ready", lines[1]);
        Assert.Matches(@"^scratch\s+alice\s+-\s+Stopped", lines[2]);
    }

    private static JsonElement Body(RecordedRequest request)
    {
        Assert.Equal("application/json", request.ContentType);
        using var document = JsonDocument.Parse(request.Body!);
        return document.RootElement.Clone();
    }
}
