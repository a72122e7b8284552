using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>
/// Every quota (vCPUs, memory, disk, running VMs) per user and per course, enforced on create, update and start,
/// answered 422 naming the quota and the excess, with nothing created; every refusal in the audit log.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class QuotaTests(ITestOutputHelper output)
{
    private static string Room(string name, int machines, string cpus = "1", string memory = "128Mi") =>
        $"""
        apiVersion: skillvl.io/v1
        kind: Room
        metadata:
          name: {name}
        networks:
          - name: lan
            cidr: 10.30.0.0/24
        machines:
        """ + string.Concat(Enumerable.Range(1, machines).Select(i => $"""

          - name: m{i}
            template: tiny
            cpus: {cpus}
            memory: {memory}
            nics:
              - network: lan
                ip: 10.30.0.{10 + i}
        """)) + "\n";

    [Fact]
    public async Task UserQuotas_EachLimit_RefusesCreateUpdateAndStart()
    {
        await using var server = await ServerHarness.StartAsync();
        using var student = await Users.AddAndLoginAsync(server, "quinn", PlatformRoles.Student);
        var tiny = (await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!.Single(t => t.Name == "tiny");

        // Create: each limit in turn, with a room that breaks only that one.
        var cases = new (QuotaLimits Limits, string Yaml, string Quota, string Excess)[]
        {
            (new QuotaLimits(Cpus: 1), Room("cpu", 1, cpus: "2"), "cpus", "1"),
            (new QuotaLimits(MemoryBytes: 200L << 20), Room("mem", 2), "memory", "56Mi"),
            (new QuotaLimits(DiskBytes: tiny.SizeBytes), Room("disk", 2), "disk", ""),
            (new QuotaLimits(RunningVms: 1), Room("vms", 2), "runningVms", "1"),
        };
        foreach (var (limits, yaml, quota, excess) in cases)
        {
            await SetQuotaAsync(server, "quinn", limits);
            using var refused = await student.Client.PostAsync(ApiPaths.Rooms, Yaml(yaml));
            var problem = await ProblemAsync(refused);
            output.WriteLine(problem.GetProperty("detail").GetString());
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Equal(quota, problem.GetProperty("quota").GetString());
            Assert.Equal("user", problem.GetProperty("scope").GetString());
            Assert.Contains("'quinn'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains($"exceeded by {excess}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Empty((await student.Client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json))!);
        }

        // Update and start: one VM is allowed; growing the room or starting a second room is refused.
        await SetQuotaAsync(server, "quinn", new QuotaLimits(RunningVms: 1));
        var first = await Users.ReadAsync<TaskInfo>(await student.Client.PostAsync(ApiPaths.Rooms, Yaml(Room("one", 1))), HttpStatusCode.Accepted);
        Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(first.Id, TimeSpan.FromMinutes(2))).State);
        using (var grow = await student.Client.PutAsync(ApiPaths.Room("one"), Yaml(Room("one", 2))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, grow.StatusCode);
            Assert.Equal("runningVms", (await ProblemAsync(grow)).GetProperty("quota").GetString());
        }

        var stop = await Users.ReadAsync<TaskInfo>(await student.Client.PostAsync(ApiPaths.Room("one") + "/stop", null), HttpStatusCode.Accepted);
        Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(stop.Id, TimeSpan.FromMinutes(2))).State);
        var second = await Users.ReadAsync<TaskInfo>(await student.Client.PostAsync(ApiPaths.Rooms, Yaml(Room("two", 1))), HttpStatusCode.Accepted);
        Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(second.Id, TimeSpan.FromMinutes(2))).State);
        using (var start = await student.Client.PostAsync(ApiPaths.Room("one") + "/start", null))
        {
            var problem = await ProblemAsync(start);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, start.StatusCode);
            Assert.Equal(("runningVms", 1L, 2L), (problem.GetProperty("quota").GetString(), problem.GetProperty("limit").GetInt64(), problem.GetProperty("wouldUse").GetInt64()));
        }

        using (var startMachine = await student.Client.PostAsync(ApiPaths.Machine("one", "m1") + "/start", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, startMachine.StatusCode);
        }

        // Nonsense limits are refused by field.
        using (var bad = await server.Client.PutAsJsonAsync(ApiPaths.User("quinn") + "/quota", new QuotaLimits(Cpus: -1, RunningVms: -2), ServerHarness.Json))
        {
            var body = await bad.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("\"cpus\"", body, StringComparison.Ordinal);
            Assert.Contains("\"runningVms\"", body, StringComparison.Ordinal);
        }

        var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?user=quinn&limit=1000", ServerHarness.Json))!;
        Assert.Equal(4, audit.Count(a => a.Action == "POST /api/v1/rooms/" && a.Outcome == "422"));
        Assert.Contains(audit, a => a.Action == "PUT /api/v1/rooms/{room}" && a.Outcome == "422");
        Assert.Contains(audit, a => a.Action == "POST /api/v1/rooms/{room}/start" && a.Outcome == "422");
        Assert.Contains(audit, a => a.Action == "POST /api/v1/rooms/{room}/machines/{machine}/start" && a.Outcome == "422");
        Assert.Contains((await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?user=admin&limit=1000", ServerHarness.Json))!,
            a => a.Action == "PUT /api/v1/users/{user}/quota" && a.Outcome == "400");
    }

    [Fact]
    public async Task CourseQuota_RefusesPublish_WhenAllInstancesWouldNotFit()
    {
        await using var server = await ServerHarness.StartAsync();
        using var teacher = await Users.AddAndLoginAsync(server, "tq", PlatformRoles.Teacher);
        using var s1 = await Users.AddAndLoginAsync(server, "qa", PlatformRoles.Student);
        using var s2 = await Users.AddAndLoginAsync(server, "qb", PlatformRoles.Student);
        await Users.ReadAsync<CourseInfo>(
            await teacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("small", Quota: new QuotaLimits(RunningVms: 3, MemoryBytes: 1L << 30)), ServerHarness.Json),
            HttpStatusCode.Created);
        await Users.ReadAsync<List<StudentInfo>>(
            await teacher.Client.PostAsJsonAsync(ApiPaths.Course("small") + "/students", new EnrolRequest(["qa", "qb"]), ServerHarness.Json), HttpStatusCode.OK);

        // Two students × two machines = four running VMs > 3: nothing published, nothing created.
        using var refused = await teacher.Client.PostAsync(ApiPaths.Course("small") + "/versions", Yaml(Room("lab", 2)));
        var problem = await ProblemAsync(refused);
        output.WriteLine(problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(("runningVms", "course", "small", 1L), (problem.GetProperty("quota").GetString(), problem.GetProperty("scope").GetString(), problem.GetProperty("subject").GetString(), problem.GetProperty("excess").GetInt64()));
        Assert.Empty((await teacher.Client.GetFromJsonAsync<List<CourseVersionInfo>>(ApiPaths.Course("small") + "/versions", ServerHarness.Json))!);
        Assert.Empty((await teacher.Client.GetFromJsonAsync<List<CourseInstanceInfo>>(ApiPaths.Course("small") + "/instances", ServerHarness.Json))!);

        // The teacher edits the course's quota (issue 17): a bad one names the field and changes nothing; a good one
        // replaces the course's limits as a whole and the next publish is measured against it (2 instances × 1 VM > 1).
        using (var badEdit = await teacher.Client.PatchAsJsonAsync(ApiPaths.Course("small"), new UpdateCourseRequest(Title: "Small", Quota: new QuotaLimits(Cpus: -1)), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badEdit.StatusCode);
            Assert.Contains("\"quota.cpus\"", await badEdit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var unchanged = await Users.ReadAsync<CourseInfo>(await teacher.Client.GetAsync(ApiPaths.Course("small")), HttpStatusCode.OK);
        Assert.Equal((null, new QuotaLimits(RunningVms: 3, MemoryBytes: 1L << 30)), (unchanged.Title, unchanged.Quota));
        var edited = await Users.ReadAsync<CourseInfo>(
            await teacher.Client.PatchAsJsonAsync(ApiPaths.Course("small"), new UpdateCourseRequest(Quota: new QuotaLimits(RunningVms: 1)), ServerHarness.Json), HttpStatusCode.OK);
        Assert.Equal(new QuotaLimits(RunningVms: 1), edited.Quota);
        Assert.Equal(HttpStatusCode.Forbidden, (await s1.Client.PatchAsJsonAsync(ApiPaths.Course("small"), new UpdateCourseRequest(Quota: new QuotaLimits(RunningVms: 99)), ServerHarness.Json)).StatusCode);
        using var overEdited = await teacher.Client.PostAsync(ApiPaths.Course("small") + "/versions", Yaml(Room("lab", 1)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, overEdited.StatusCode);
        var overQuota = await ProblemAsync(overEdited);
        Assert.Equal(("runningVms", 1L), (overQuota.GetProperty("quota").GetString(), overQuota.GetProperty("excess").GetInt64()));

        // Bad course input names the field.
        using var bad = await teacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("Not A Name", Quota: new QuotaLimits(Cpus: -4)), ServerHarness.Json);
        var body = await bad.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"name\"", body, StringComparison.Ordinal);
        Assert.Contains("\"quota.cpus\"", body, StringComparison.Ordinal);

        // A student cannot create a course.
        Assert.Equal(HttpStatusCode.Forbidden, (await s1.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("mine"), ServerHarness.Json)).StatusCode);
        var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?user=tq&limit=1000", ServerHarness.Json))!;
        Assert.Contains(audit, a => a.Action == "POST /api/v1/courses/{course}/versions" && a.Outcome == "422");
    }

    private static async Task SetQuotaAsync(ServerHarness server, string user, QuotaLimits limits)
    {
        using var response = await server.Client.PutAsJsonAsync(ApiPaths.User(user) + "/quota", limits, ServerHarness.Json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");
}
