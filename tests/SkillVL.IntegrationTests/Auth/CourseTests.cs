using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checks;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>
/// A course with three students on real guests: publishing makes three instances with identical CIDRs on isolated
/// networks; a teacher's reset brings one back to its baseline without touching the others; a new version changes
/// nothing until an instance is upgraded; a student's "Check my work" fails, then passes once the guest is fixed, and
/// the teacher sees the summary (issue 17, ADR 0042); everything is in the audit log.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class CourseTests(ITestOutputHelper output)
{
    private const string Lab = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata:
          name: lab
          description: two hosts on one LAN
        networks:
          - name: lan
            cidr: 10.20.0.0/24
        machines:
          - name: a
            template: tiny
            nics:
              - network: lan
                ip: 10.20.0.10
          - name: b
            template: tiny
            nics:
              - network: lan
                ip: 10.20.0.11
        checks:
          - name: done
            machine: a
            run: test -f /root/done
          - name: a-reaches-b
            machine: a
            reaches: b
        """;

    [Fact]
    public async Task ThreeStudents_IsolatedInstances_ResetOne_UpgradeByChoice()
    {
        // Checks may run again 2 s after a run (5 s by default), so the test sees the 429 and then waits little.
        await using var server = await ServerHarness.StartAsync(o => o.Checks.MinInterval = TimeSpan.FromSeconds(2));
        using var teacher = await Users.AddAndLoginAsync(server, "teach", PlatformRoles.Teacher);
        var s = new[]
        {
            await Users.AddAndLoginAsync(server, "s1", PlatformRoles.Student),
            await Users.AddAndLoginAsync(server, "s2", PlatformRoles.Student),
            await Users.AddAndLoginAsync(server, "s3", PlatformRoles.Student),
        };
        try
        {
            await Users.ReadAsync<CourseInfo>(await teacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("net101", "Networks 101"), ServerHarness.Json), HttpStatusCode.Created);
            // Issue 17: the teacher edits the title (the web's course settings); a title too long is a 400 naming it and
            // changes nothing, and a student may not change it (404, as for a course they cannot manage).
            var retitled = await Users.ReadAsync<CourseInfo>(
                await teacher.Client.PatchAsJsonAsync(ApiPaths.Course("net101"), new UpdateCourseRequest(Title: " Networks 101, spring "), ServerHarness.Json), HttpStatusCode.OK);
            Assert.Equal("Networks 101, spring", retitled.Title);
            using (var tooLong = await teacher.Client.PatchAsJsonAsync(ApiPaths.Course("net101"), new UpdateCourseRequest(AllowClientNodes: true, Title: new string('x', 201)), ServerHarness.Json))
            {
                Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
                Assert.Contains("\"title\"", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var unchanged = await Users.ReadAsync<CourseInfo>(await teacher.Client.GetAsync(ApiPaths.Course("net101")), HttpStatusCode.OK);
            Assert.Equal(("Networks 101, spring", false), (unchanged.Title, unchanged.AllowClientNodes));
            Assert.Equal(HttpStatusCode.NotFound, (await s[0].Client.PatchAsJsonAsync(ApiPaths.Course("net101"), new UpdateCourseRequest(Title: "mine"), ServerHarness.Json)).StatusCode);
            Assert.Equal("Networks 101", (await Users.ReadAsync<CourseInfo>(
                await teacher.Client.PatchAsJsonAsync(ApiPaths.Course("net101"), new UpdateCourseRequest(Title: "Networks 101"), ServerHarness.Json), HttpStatusCode.OK)).Title);
            // Two by username, one through an invite code.
            await Users.ReadAsync<List<StudentInfo>>(await teacher.Client.PostAsJsonAsync(Course("students"), new EnrolRequest(["s1", "s2"]), ServerHarness.Json), HttpStatusCode.OK);
            var invite = await Users.ReadAsync<InviteInfo>(await teacher.Client.PostAsJsonAsync(Course("invites"), new CreateInviteRequest(1, 1), ServerHarness.Json), HttpStatusCode.Created);
            await Users.ReadAsync<CourseInfo>(await s[2].Client.PostAsJsonAsync(ApiPaths.RedeemInvite, new RedeemInviteRequest(invite.Code), ServerHarness.Json), HttpStatusCode.OK);
            using var late = await Users.AddAndLoginAsync(server, "late", PlatformRoles.Student);
            using (var usedUp = await late.Client.PostAsJsonAsync(ApiPaths.RedeemInvite, new RedeemInviteRequest(invite.Code), ServerHarness.Json))
            {
                Assert.Equal(HttpStatusCode.BadRequest, usedUp.StatusCode);
                Assert.Contains("used up", await usedUp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using (var unknown = await late.Client.PostAsJsonAsync(ApiPaths.RedeemInvite, new RedeemInviteRequest("NOPE1-NOPE2"), ServerHarness.Json))
            {
                Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
                Assert.Contains("not a known invite code", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var clock = Stopwatch.StartNew();
            var v1 = await Users.ReadAsync<CourseVersionInfo>(await teacher.Client.PostAsync(Course("versions"), Yaml(Lab)), HttpStatusCode.Created);
            Assert.Equal((1, 3), (v1.Version, v1.InstancesCreated));
            var instances = await WaitReadyAsync(teacher.Client, 3);
            output.WriteLine($"3 instances (6 VMs) ready in {clock.Elapsed.TotalSeconds:F1} s");

            // Same addresses, different networks.
            var details = new List<RoomDetails>();
            foreach (var student in s)
            {
                details.Add(await Users.ReadAsync<RoomDetails>(await student.Client.GetAsync(ApiPaths.Room("lab")), HttpStatusCode.OK));
            }

            Assert.All(details, d => Assert.Equal("10.20.0.0/24", Assert.Single(d.Networks).Cidr));
            Assert.Equal(3, details.Select(d => d.Networks[0].Id).Distinct().Count());
            Assert.All(details, d => Assert.Equal(("net101", 1), (d.Course!, d.CourseVersion!.Value)));

            // Inside an instance the hosts reach each other; across instances nothing answers.
            Assert.Equal(0, (await ExecAsync(s[0], "a", "ping", "-c", "2", "-W", "2", "10.20.0.11")).ExitCode);
            Assert.Equal(0, (await ExecAsync(s[1], "b", "ip", "addr", "add", "10.20.0.99/24", "dev", "eth0")).ExitCode);
            Assert.Equal(0, (await ExecAsync(s[1], "a", "ping", "-c", "2", "-W", "2", "10.20.0.99")).ExitCode);
            Assert.NotEqual(0, (await ExecAsync(s[0], "a", "ping", "-c", "3", "-W", "1", "10.20.0.99")).ExitCode);
            Assert.NotEqual(0, (await ExecAsync(s[2], "a", "ping", "-c", "3", "-W", "1", "10.20.0.99")).ExitCode);

            await CheckMyWorkAsync(teacher, s, instances.Single(i => i.Student == "s1"));

            // Reset: s3's write is gone afterwards, s1 and s2 were not touched.
            Assert.Equal(0, (await ExecAsync(s[2], "a", "/bin/sh", "-c", "echo mine > /root/marker && sync")).ExitCode);
            var boot1 = (await ExecAsync(s[0], "a", "cat", "/proc/sys/kernel/random/boot_id")).Stdout;
            var s3Instance = instances.Single(i => i.Student == "s3");
            var reset = await Users.ReadAsync<TaskInfo>(await teacher.Client.PostAsync(ApiPaths.Room(s3Instance.RoomId) + "/reset", null), HttpStatusCode.Accepted);
            var done = await server.WaitTaskAsync(reset.Id, TimeSpan.FromMinutes(3));
            Assert.True(done.State == TaskStates.Succeeded, ServerHarness.Describe(done));
            Assert.Equal(1, (await ExecAsync(s[2], "a", "test", "-e", "/root/marker")).ExitCode);
            Assert.Equal(boot1, (await ExecAsync(s[0], "a", "cat", "/proc/sys/kernel/random/boot_id")).Stdout);
            Assert.Equal(0, (await ExecAsync(s[1], "a", "ping", "-c", "1", "-W", "2", "10.20.0.99")).ExitCode);

            // A new version changes no instance until someone chooses to upgrade.
            var v2 = await Users.ReadAsync<CourseVersionInfo>(
                await teacher.Client.PostAsync(Course("versions"), Yaml(Lab.Replace("two hosts on one LAN", "two hosts, version 2", StringComparison.Ordinal))), HttpStatusCode.Created);
            Assert.Equal((2, 0), (v2.Version, v2.InstancesCreated));
            Assert.All(await teacher.Client.GetFromJsonAsync<List<CourseInstanceInfo>>(Course("instances"), ServerHarness.Json) ?? [], i => Assert.Equal(1, i.Version));
            var upgrade = await Users.ReadAsync<TaskInfo>(await s[0].Client.PostAsync(ApiPaths.Room("lab") + "/upgrade", null), HttpStatusCode.Accepted);
            Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(upgrade.Id, TimeSpan.FromMinutes(2))).State);
            var upgraded = await Users.ReadAsync<RoomDetails>(await s[0].Client.GetAsync(ApiPaths.Room("lab")), HttpStatusCode.OK);
            Assert.Equal((2, "two hosts, version 2"), (upgraded.CourseVersion!.Value, upgraded.Definition.Metadata.Description!));
            Assert.Equal(boot1, (await ExecAsync(s[0], "a", "cat", "/proc/sys/kernel/random/boot_id")).Stdout); // unchanged machines keep running
            Assert.Equal(HttpStatusCode.Conflict, (await s[0].Client.PostAsync(ApiPaths.Room("lab") + "/upgrade", null)).StatusCode);

            // The audit log has each of these actions.
            var audit = await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?limit=1000", ServerHarness.Json) ?? [];
            foreach (var (user, action) in new[]
            {
                ("teach", "POST /api/v1/courses/"), ("teach", "POST /api/v1/courses/{course}/students"), ("teach", "POST /api/v1/courses/{course}/invites"),
                ("s3", "POST /api/v1/invites/redeem"), ("teach", "POST /api/v1/courses/{course}/versions"), ("teach", "POST /api/v1/rooms/{room}/reset"),
                ("s1", "POST /api/v1/rooms/{room}/upgrade"), ("s1", "POST /api/v1/rooms/{room}/machines/{machine}/exec"),
                ("s1", "POST /api/v1/rooms/{room}/checks"), ("s2", "POST /api/v1/rooms/{room}/checks"),
            })
            {
                Assert.True(audit.Any(a => a.Username == user && a.Action == action), $"no audit entry of {user}: {action}");
            }

            Assert.Contains(audit, a => a.Username == "s3" && a.Detail == "command: /bin/sh -c echo mine > /root/marker && sync");
            Assert.Contains(audit, a => a.Username == "s1" && a.Action == "POST /api/v1/rooms/{room}/checks" && a.Detail == "1 of 2 passed");
            Assert.Contains(audit, a => a.Username == "s1" && a.Action == "POST /api/v1/rooms/{room}/checks" && a.Detail == "2 of 2 passed");
            Assert.Contains(audit, a => a.Username == "s2" && a.Action == "POST /api/v1/rooms/{room}/checks" && a.Outcome == "404");
        }
        finally
        {
            foreach (var student in s)
            {
                student.Dispose();
            }
        }
    }

    /// <summary>
    /// Issue 17 (ADR 0042): s1 runs the checks — the command check fails (no /root/done), a→b passes; at once again is a
    /// 429; s2 cannot see or run s1's checks; s1 fixes the guest through exec and both pass; the teacher sees 2 of 2.
    /// </summary>
    private async Task CheckMyWorkAsync(Users.Session teacher, Users.Session[] s, CourseInstanceInfo s1Instance)
    {
        var clock = Stopwatch.StartNew();
        var first = await Users.ReadAsync<List<CheckResultInfo>>(await s[0].Client.PostAsync(ApiPaths.RoomChecks("lab"), null), HttpStatusCode.OK);
        Assert.Equal(["done", "a-reaches-b"], first.Select(r => r.Name));
        Assert.Equal((false, "exit status 1, expected 0"), (first[0].Passed, first[0].Detail));
        Assert.Equal((true, "a reaches 10.20.0.11"), (first[1].Passed, first[1].Detail));
        using (var again = await s[0].Client.PostAsync(ApiPaths.RoomChecks("lab"), null))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
            Assert.NotNull(again.Headers.RetryAfter);
            Assert.Contains("ran a moment ago", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await s[1].Client.PostAsync(ApiPaths.RoomChecks(s1Instance.RoomId), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s[1].Client.GetAsync(ApiPaths.RoomChecks(s1Instance.RoomId))).StatusCode);
        Assert.Equal(0, (await ExecAsync(s[0], "a", "touch", "/root/done")).ExitCode);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var second = await Users.ReadAsync<List<CheckResultInfo>>(await s[0].Client.PostAsync(ApiPaths.RoomChecks("lab"), null), HttpStatusCode.OK);
        Assert.All(second, r => Assert.True(r.Passed, r.Detail));
        Assert.True(second[0].At > first[0].At);

        // The stored results: the student's and the teacher's view of s1's room, and the teacher's summary per instance.
        var stored = await Users.ReadAsync<List<CheckResultInfo>>(await teacher.Client.GetAsync(ApiPaths.RoomChecks(s1Instance.RoomId)), HttpStatusCode.OK);
        Assert.Equal(second, stored);
        var summaries = await teacher.Client.GetFromJsonAsync<List<CourseInstanceInfo>>(Course("instances"), ServerHarness.Json) ?? [];
        Assert.Equal(new CheckSummary(2, 2, second[0].At), summaries.Single(i => i.Student == "s1").Checks);
        Assert.Null(summaries.Single(i => i.Student == "s2").Checks);
        output.WriteLine($"check my work (2 runs, a 429, a fix) in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static string Course(string what) => ApiPaths.Course("net101") + "/" + what;

    private static async Task<ExecResponse> ExecAsync(Users.Session student, string machine, params string[] command)
    {
        using var response = await student.Client.PostAsJsonAsync(ApiPaths.Machine("lab", machine) + "/exec", new ExecRequest(command, TimeSpan.FromSeconds(60)), ServerHarness.Json);
        return await Users.ReadAsync<ExecResponse>(response, HttpStatusCode.OK);
    }

    private async Task<List<CourseInstanceInfo>> WaitReadyAsync(HttpClient teacher, int count)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var instances = await teacher.GetFromJsonAsync<List<CourseInstanceInfo>>(Course("instances"), ServerHarness.Json) ?? [];
            if (instances.Count == count && instances.All(i => i.Phase == "Ready"))
            {
                return instances;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                var why = new StringBuilder();
                foreach (var instance in instances)
                {
                    var room = await teacher.GetFromJsonAsync<RoomDetails>(ApiPaths.Room(instance.RoomId), ServerHarness.Json);
                    why.Append($"\n{instance.Student} {instance.Phase} gen {room!.Generation}/{room.ObservedGeneration}: ")
                        .AppendJoin(", ", room.Machines.Select(m => $"{m.Name} {m.State} ready={m.GuestReady} {m.LastError}"));
                }

                foreach (var task in await teacher.GetFromJsonAsync<List<TaskInfo>>(ApiPaths.Tasks, ServerHarness.Json) ?? [])
                {
                    why.Append($"\ntask {task.Kind} {task.Target} {task.State} {task.Outcome}");
                }

                Assert.Fail("instances not ready:" + why);
            }

            output.WriteLine(string.Join(", ", instances.Select(i => $"{i.Student} {i.Phase}")));
            await Task.Delay(1000);
        }
    }

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");
}
