using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>
/// The class view's bulk action (issue 17 Deliver 1, ADR 0045) on real guests: who may use it, what it refuses (naming
/// the field, changing nothing), and each student's own outcome — a student without an instance, a stopped machine's
/// failed check, a room's check rate limit, a reset — one audit entry per student, and each instance's last activity.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ClassViewTests(ITestOutputHelper output)
{
    private const string Lab = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata:
          name: lab
        networks:
          - name: lan
            cidr: 10.30.0.0/24
        machines:
          - name: a
            template: tiny
            nics:
              - network: lan
                ip: 10.30.0.10
        checks:
          - name: done
            machine: a
            run: test -f /root/done
        """;

    [Fact]
    public async Task BulkActions_PerStudentOutcomes_RulesAndAudit()
    {
        await using var server = await ServerHarness.StartAsync();
        using var teacher = await Users.AddAndLoginAsync(server, "tina", PlatformRoles.Teacher);
        using var otto = await Users.AddAndLoginAsync(server, "otto", PlatformRoles.Teacher);
        using var s1 = await Users.AddAndLoginAsync(server, "s1", PlatformRoles.Student);
        using var s2 = await Users.AddAndLoginAsync(server, "s2", PlatformRoles.Student);
        using var s3 = await Users.AddAndLoginAsync(server, "s3", PlatformRoles.Student);
        using var zed = await Users.AddAndLoginAsync(server, "zed", PlatformRoles.Student);
        var clock = Stopwatch.StartNew();
        await Users.ReadAsync<CourseInfo>(await teacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("cv101"), ServerHarness.Json), HttpStatusCode.Created);
        await Users.ReadAsync<CourseInfo>(await otto.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("cv202"), ServerHarness.Json), HttpStatusCode.Created);
        await Users.ReadAsync<List<StudentInfo>>(
            await teacher.Client.PostAsJsonAsync(ApiPaths.Course("cv101") + "/students", new EnrolRequest(["s1", "s2", "s3"]), ServerHarness.Json), HttpStatusCode.OK);
        await Users.ReadAsync<CourseVersionInfo>(await teacher.Client.PostAsync(ApiPaths.Course("cv101") + "/versions", new StringContent(Lab, Encoding.UTF8, "application/yaml")), HttpStatusCode.Created);
        // s3 deletes their instance: enrolled, without one.
        await Users.ReadAsync<TaskInfo>(await s3.Client.DeleteAsync(ApiPaths.Room("lab")), HttpStatusCode.Accepted);
        await WaitAsync(teacher.Client, i => i.Count == 2 && i.All(x => x.Phase == "Ready"), "two instances ready");
        output.WriteLine($"2 instances ready in {clock.Elapsed.TotalSeconds:F1} s");

        // Who: a student of the course 403 (the course is no secret to them), a teacher of another course and a student
        // not enrolled 404, as every course route answers.
        Assert.Equal(HttpStatusCode.Forbidden, (await ActAsync(s1.Client, "stop")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ActAsync(otto.Client, "stop")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ActAsync(zed.Client, "stop")).StatusCode);

        // Bad input: 400 naming the field, nothing done.
        await AssertInvalidAsync(await ActAsync(teacher.Client, null), "action");
        await AssertInvalidAsync(await ActAsync(teacher.Client, "explode"), "action");
        await AssertInvalidAsync(await ActAsync(teacher.Client, "stop", "zed"), "students", "zed");
        await AssertInvalidAsync(await ActAsync(teacher.Client, "stop", "s1", "nobody"), "students", "nobody");
        await AssertInvalidAsync(await ActAsync(teacher.Client, "stop", "s1", "s1", "s2", "s3"), "students", "has 3");
        var instances = await InstancesAsync(teacher.Client);
        Assert.All(instances, i => Assert.Equal(1, i.MachinesRunning));
        Assert.Empty(await AuditAsync(server));

        // Stop all: two tasks, and s3 is listed as having no instance.
        var stopped = await OutcomesAsync(teacher.Client, "stop");
        Assert.Equal(["s1", "s2", "s3"], stopped.Select(o => o.Student));
        Assert.All(stopped.Take(2), o => Assert.Equal((InstanceActionOutcome.Accepted, 202, "room.stop"), (o.Outcome, o.Status, o.Task!.Kind)));
        Assert.Equal((InstanceActionOutcome.NoInstance, 404, (string?)null), (stopped[2].Outcome, stopped[2].Status, stopped[2].RoomId));
        await WaitAsync(teacher.Client, i => i.All(x => x.MachinesRunning == 0), "both stopped");

        // A check of a stopped machine fails, saying why; at once again: the room's rate limit, reported for that student.
        var checkedStopped = Assert.Single(await OutcomesAsync(teacher.Client, "check", "s1"));
        Assert.Equal((InstanceActionOutcome.Checked, "0 of 1 passed"), (checkedStopped.Outcome, checkedStopped.Message));
        Assert.Contains("is not running", Assert.Single(checkedStopped.Checks!).Detail, StringComparison.Ordinal);
        var tooSoon = Assert.Single(await OutcomesAsync(teacher.Client, "check", "s1"));
        Assert.Equal((InstanceActionOutcome.Refused, 429), (tooSoon.Outcome, tooSoon.Status));
        Assert.Contains("ran a moment ago", tooSoon.Message, StringComparison.Ordinal);
        Assert.Equal("checks run by tina", (await InstancesAsync(teacher.Client)).Single(i => i.Student == "s1").LastActivityWhat);

        // Start s1 only; s1 does the exercise; the teacher (an admin here) checks everyone.
        Assert.Equal(InstanceActionOutcome.Accepted, Assert.Single(await OutcomesAsync(teacher.Client, "start", "s1")).Outcome);
        await WaitAsync(teacher.Client, i => i.Single(x => x.Student == "s1") is { Phase: "Ready", MachinesRunning: 1 }, "s1 running");
        using (var exec = await s1.Client.PostAsJsonAsync(ApiPaths.Machine("lab", "a") + "/exec", new ExecRequest(["touch", "/root/done"], TimeSpan.FromSeconds(60)), ServerHarness.Json))
        {
            Assert.Equal(0, (await Users.ReadAsync<ExecResponse>(exec, HttpStatusCode.OK)).ExitCode);
        }

        var afterExec = (await InstancesAsync(teacher.Client)).Single(i => i.Student == "s1");
        Assert.Equal("exec on a", afterExec.LastActivityWhat);
        Assert.True(afterExec.LastActivity > checkedStopped.Checks![0].At);
        await Task.Delay(TimeSpan.FromSeconds(5)); // the default MinInterval since s1's last run
        var all = await OutcomesAsync(server.Client, "check");
        Assert.Equal(
            [("s1", InstanceActionOutcome.Checked, "1 of 1 passed"), ("s2", InstanceActionOutcome.Checked, "0 of 1 passed"), ("s3", InstanceActionOutcome.NoInstance, "s3 has no instance of course 'cv101'.")],
            all.Select(o => (o.Student, o.Outcome, o.Message)));
        instances = await InstancesAsync(teacher.Client);
        Assert.Equal((1, 1), (instances[0].Checks!.Passed, instances[0].Checks!.Total));
        Assert.Equal((0, 1), (instances[1].Checks!.Passed, instances[1].Checks!.Total));

        // Reset s1: fresh disks, the old results gone (ADR 0042).
        var reset = Assert.Single(await OutcomesAsync(teacher.Client, "reset", "s1"));
        Assert.Equal((InstanceActionOutcome.Accepted, "room.reset"), (reset.Outcome, reset.Task!.Kind));
        Assert.Null((await InstancesAsync(teacher.Client)).Single(i => i.Student == "s1").Checks);

        // One audit entry per student and action, the refused ones too (a selection's checks run in parallel: as a set).
        var audit = await AuditAsync(server);
        Assert.Equal(
            ["check s1 200", "check s1 200", "check s1 429", "check s2 200", "check s3 404", "reset s1 202", "start s1 202", "stop s1 202", "stop s2 202", "stop s3 404"],
            audit.Select(a => $"{a.Action["course.instances.".Length..]} {Student(a.Target)} {a.Outcome}").Order(StringComparer.Ordinal));
        Assert.All(audit.Where(a => a.Action == "course.instances.stop"), a => Assert.Equal("tina", a.Username));
        output.WriteLine($"class view actions on real guests in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static string Student(string? target) =>
        (target ?? "").Split(' ').Single(p => p.StartsWith("student=", StringComparison.Ordinal))["student=".Length..];

    private static async Task<List<AuditEntry>> AuditAsync(ServerHarness server) =>
        (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=course.instances.&limit=1000", ServerHarness.Json))!;

    private static Task<HttpResponseMessage> ActAsync(HttpClient client, string? action, params string[] students) =>
        client.PostAsJsonAsync(ApiPaths.CourseInstanceActions("cv101"), new InstanceActionRequest(action, students), ServerHarness.Json);

    private static async Task<List<InstanceActionOutcome>> OutcomesAsync(HttpClient client, string action, params string[] students)
    {
        using var response = await ActAsync(client, action, students);
        return await Users.ReadAsync<List<InstanceActionOutcome>>(response, HttpStatusCode.OK);
    }

    private static async Task AssertInvalidAsync(HttpResponseMessage response, string field, string? says = null)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
            Assert.Contains($"\"{field}\"", body, StringComparison.Ordinal);
            Assert.Contains(says ?? field, body, StringComparison.Ordinal);
        }
    }

    private static async Task<List<CourseInstanceInfo>> InstancesAsync(HttpClient teacher) =>
        (await teacher.GetFromJsonAsync<List<CourseInstanceInfo>>(ApiPaths.Course("cv101") + "/instances", ServerHarness.Json))!
            .Where(i => i.Phase != "Deleting").ToList();

    private async Task WaitAsync(HttpClient teacher, Func<List<CourseInstanceInfo>, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var instances = await InstancesAsync(teacher);
            if (done(instances))
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"not {what}: " + string.Join(", ", instances.Select(i => $"{i.Student} {i.Phase} {i.MachinesRunning}/{i.Machines}")));
            output.WriteLine(string.Join(", ", instances.Select(i => $"{i.Student} {i.Phase} {i.MachinesRunning}/{i.Machines}")));
            await Task.Delay(1000);
        }
    }
}
