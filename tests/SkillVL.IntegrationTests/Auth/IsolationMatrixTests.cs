using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Server.Data;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>
/// Authorization on every object, generated from the Server's own route table: for every API route that takes an
/// object id, a second student and a teacher of another course get 404 for the first student's objects (own room,
/// course instance, machine, task, user, API token, course). A new route with a parameter this test has no object
/// for fails the test, so it cannot be added without an authorization check being proven.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class IsolationMatrixTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata:
          name: mine
        networks:
          - name: lan
            cidr: 10.10.0.0/24
        machines:
          - name: pc
            template: tiny
            nics:
              - network: lan
                ip: 10.10.0.10
        """;

    [Fact]
    public async Task EveryObjectRoute_AnswersNotFound_ToOtherStudentAndOtherTeacher()
    {
        await using var server = await ServerHarness.StartAsync();
        using var alice = await Users.AddAndLoginAsync(server, "alice", PlatformRoles.Student);
        using var bob = await Users.AddAndLoginAsync(server, "bob", PlatformRoles.Student);
        using var teacher = await Users.AddAndLoginAsync(server, "tessa", PlatformRoles.Teacher);
        using var otherTeacher = await Users.AddAndLoginAsync(server, "otto", PlatformRoles.Teacher);

        // Alice's objects: an own room, an instance of tessa's course, a task, an API token.
        var created = await Users.ReadAsync<TaskInfo>(await alice.Client.PostAsync(ApiPaths.Rooms, Yaml(Room)), HttpStatusCode.Accepted);
        var course = await Users.ReadAsync<CourseInfo>(await teacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("net1"), ServerHarness.Json), HttpStatusCode.Created);
        await Users.ReadAsync<CourseInfo>(await otherTeacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("net2"), ServerHarness.Json), HttpStatusCode.Created);
        await Users.ReadAsync<List<StudentInfo>>(await teacher.Client.PostAsJsonAsync(ApiPaths.Course("net1") + "/students", new EnrolRequest(["alice"]), ServerHarness.Json), HttpStatusCode.OK);
        await Users.ReadAsync<CourseVersionInfo>(await teacher.Client.PostAsync(ApiPaths.Course("net1") + "/versions", Yaml(Room.Replace("name: mine", "name: lab1", StringComparison.Ordinal))), HttpStatusCode.Created);
        var token = await Users.ReadAsync<CreatedApiToken>(await alice.Client.PostAsJsonAsync(ApiPaths.Tokens, new CreateApiTokenRequest("mine"), ServerHarness.Json), HttpStatusCode.Created);
        var rooms = await alice.Client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json);
        var own = rooms!.Single(r => r.Course is null);
        var instance = rooms!.Single(r => r.Course == "net1");
        Assert.Equal(1, instance.CourseVersion);

        // A migration of Alice's machine, as the engine leaves one that ended (a single-node Server cannot run one).
        var pc = (await alice.Client.GetFromJsonAsync<RoomDetails>(ApiPaths.Room(own.Id), ServerHarness.Json))!.Machines.Single();
        await using (var db = await server.App.Services.GetRequiredService<IDbContextFactory<SkillVlDbContext>>().CreateDbContextAsync())
        {
            db.Migrations.Add(new MigrationEntity
            {
                Id = "alicemig", MachineId = pc.Id, MachineName = pc.Name, RoomId = own.Id, RoomName = own.Name, OwnerId = alice.Id,
                SourceNode = "local", TargetNode = "edge1", Mode = "live", State = MigrationStates.Failed, Phase = MigrationPhases.Prepare,
                LimitsJson = "{}", DiskTransfer = "overlay", Tuning = "policy", CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await alice.Client.GetAsync(ApiPaths.Migration("alicemig"))).StatusCode);

        var objects = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            // By id, and as OWNER/ROOM (issue 17, ADR 0038): the owner's name does not open a room the caller may not see.
            ["room"] = [own.Id, instance.Id, $"alice/{own.Name}", $"alice/{instance.Name}", $"{alice.Id}/{own.Name}"],
            ["machine"] = ["pc"],
            ["task"] = [created.Id],
            ["user"] = [alice.Id],
            ["token"] = [token.Info.Id],
            ["course"] = [course.Id, course.Name],
            ["migration"] = ["alicemig"],
            ["epoch"] = ["0"],
            // Nodes and templates belong to no user. A node's reduced view (its size and the caller's own allocation,
            // issue 11) is for everyone; what changes a node or a template is admin-only and answers 403.
            ["node"] = ["local"],
            ["name"] = ["tiny"],
            // Experiment runs belong to no user either: teachers and admins read them all, students get 403 (ADR 0029).
            ["experiment"] = ["smoke"],
            ["plot"] = ["time.png"],
            // Placement policies (ADR 0030): Alice's course, room and user, under each scope's name.
            ["scope"] = ["course", "room", "user"],
            ["target"] = [course.Id, own.Id, alice.Id],
        };
        var smoke = Path.Combine(server.DataDirectory, "experiments", "smoke");
        Directory.CreateDirectory(Path.Combine(smoke, "plots"));
        await File.WriteAllTextAsync(Path.Combine(smoke, "report.md"), "# Experiment report\n");
        await File.WriteAllBytesAsync(Path.Combine(smoke, "plots", "time.png"), [0x89, 0x50, 0x4E, 0x47]);

        var routes = server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith(ApiPaths.Prefix, StringComparison.Ordinal) && e.RoutePattern.Parameters.Count > 0)
            .ToList();
        Assert.True(routes.Count >= 20, $"only {routes.Count} object routes found");
        var checkedRequests = 0;
        foreach (var route in routes)
        {
            var pattern = route.RoutePattern.RawText!;
            var unknown = route.RoutePattern.Parameters.Select(p => p.Name).Where(p => !objects.ContainsKey(p)).ToList();
            Assert.True(unknown.Count == 0, $"route {pattern} takes {{{string.Join("}, {", unknown)}}}, which the isolation matrix has no object for: add one");
            var methods = route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            var yaml = route.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/yaml") == true;
            foreach (var url in Expand(pattern, objects))
            {
                foreach (var method in methods)
                {
                    foreach (var (actor, client) in new[] { ("bob (other student)", bob.Client), ("otto (teacher of another course)", otherTeacher.Client) })
                    {
                        using var request = new HttpRequestMessage(new HttpMethod(method), url);
                        if (method is "POST" or "PUT" or "PATCH")
                        {
                            request.Content = yaml
                                ? Yaml(Room)
                                : new StringContent("""{"command":["true"],"usernames":["bob"],"code":"x","name":"x","allowClientNodes":true}""", Encoding.UTF8, "application/json");
                        }

                        using var response = await client.SendAsync(request);
                        var body = await response.Content.ReadAsStringAsync();
                        // PUT /rooms/{room} creates a room of the caller's own when the name is not theirs; the name in
                        // the document then does not match the id in the URL: 400, the same whether the id exists or not.
                        var shared = pattern.StartsWith(ApiPaths.Nodes + "/", StringComparison.Ordinal)
                            || pattern.StartsWith(ApiPaths.Prefix + "/templates/", StringComparison.Ordinal);
                        var research = pattern.StartsWith(ApiPaths.Experiments + "/", StringComparison.Ordinal);
                        // A node's load tells about other users' work on it: admins only (ADR 0027).
                        var adminOnly = pattern == ApiPaths.Nodes + "/{node}/load";
                        // A policy's scope object the caller cannot see is unknown: 404, and 400 naming the field on PUT
                        // (the issue's bad input); another user's own policy is refused whether that user exists or not.
                        var policy = pattern.StartsWith(ApiPaths.PlacementPolicies + "/", StringComparison.Ordinal);
                        var otherUser = policy && url.Contains("/user/", StringComparison.Ordinal);
                        var expected = method == "PUT" && pattern == ApiPaths.Rooms + "/{room}"
                            ? HttpStatusCode.BadRequest
                            : policy ? (method == "GET" ? HttpStatusCode.NotFound : otherUser ? HttpStatusCode.Forbidden : method == "PUT" ? HttpStatusCode.BadRequest : HttpStatusCode.NotFound)
                            : adminOnly ? HttpStatusCode.Forbidden
                            : research ? (client == bob.Client ? HttpStatusCode.Forbidden : HttpStatusCode.OK)
                            : shared ? (method == "GET" ? HttpStatusCode.OK : HttpStatusCode.Forbidden) : HttpStatusCode.NotFound;
                        Assert.True(response.StatusCode == expected, $"{actor}: {method} {url} ({pattern}) answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
                        checkedRequests++;
                    }
                }
            }
        }

        output.WriteLine($"{routes.Count} object routes, {checkedRequests} refused requests");

        // The node view a student gets counts their own machines only: Alice's are not in Bob's figures.
        var bobsView = await Users.ReadAsync<NodeInfo>(await bob.Client.GetAsync(ApiPaths.Nodes + "/local"), HttpStatusCode.OK);
        Assert.Equal(NodeInfo.AllocationYours, bobsView.Allocation);
        Assert.Equal(0, bobsView.MemoryBytesAllocated);
        Assert.Null(bobsView.UnderlayAddress);

        // Listings do not show them either.
        foreach (var client in new[] { bob.Client, otherTeacher.Client })
        {
            var seen = await client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json);
            Assert.DoesNotContain(seen!, r => r.Id == own.Id || r.Id == instance.Id);
            var tasks = await client.GetFromJsonAsync<List<TaskInfo>>(ApiPaths.Tasks, ServerHarness.Json);
            Assert.DoesNotContain(tasks!, t => t.Id == created.Id);
            var courses = await client.GetFromJsonAsync<List<CourseInfo>>(ApiPaths.Courses, ServerHarness.Json);
            Assert.DoesNotContain(courses!, c => c.Id == course.Id);
            var migrations = await client.GetFromJsonAsync<List<MigrationInfo>>(ApiPaths.Migrations, ServerHarness.Json);
            Assert.DoesNotContain(migrations!, m => m.Id == "alicemig");
        }

        // Nothing of Alice's changed, and the right people still see it.
        var after = await Users.ReadAsync<RoomDetails>(await alice.Client.GetAsync(ApiPaths.Room("mine")), HttpStatusCode.OK);
        Assert.Equal(1, after.Generation);
        Assert.Equal("alice", after.Owner);
        Assert.Equal(HttpStatusCode.OK, (await server.ClientWith(token.Token).GetAsync(ApiPaths.Me)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await teacher.Client.GetAsync(ApiPaths.Room(instance.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await teacher.Client.GetAsync(ApiPaths.Room(own.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(ApiPaths.Room(own.Id))).StatusCode);
        // OWNER/ROOM (issue 17): the admin reaches any room by the name the room list shows, the course's teacher the
        // instance but not the student's own room; a name alone stays the caller's own.
        Assert.Equal(own.Id, (await Users.ReadAsync<RoomDetails>(await server.Client.GetAsync(ApiPaths.Room($"alice/{own.Name}")), HttpStatusCode.OK)).Id);
        Assert.Equal(instance.Id, (await Users.ReadAsync<RoomDetails>(await teacher.Client.GetAsync(ApiPaths.Room($"alice/{instance.Name}")), HttpStatusCode.OK)).Id);
        Assert.Equal(HttpStatusCode.NotFound, (await teacher.Client.GetAsync(ApiPaths.Room($"alice/{own.Name}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(ApiPaths.Room(own.Name))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(ApiPaths.Machine($"alice/{own.Name}", "pc"))).StatusCode);
        var students = await teacher.Client.GetFromJsonAsync<List<StudentInfo>>(ApiPaths.Course("net1") + "/students", ServerHarness.Json);
        Assert.Equal("alice", Assert.Single(students!).Username);

        // Every refused mutation is in the audit log, with who tried it.
        var audit = await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?user=bob&limit=1000", ServerHarness.Json);
        Assert.Contains(audit!, a => a.Action == "DELETE /api/v1/rooms/{room}" && a.Outcome == "404" && a.Target == $"room={own.Id}");
    }

    private static IEnumerable<string> Expand(string pattern, Dictionary<string, string[]> objects)
    {
        IEnumerable<string> urls = [pattern];
        foreach (var (name, values) in objects)
        {
            var token = "{" + name + "}";
            urls = urls.SelectMany(u => u.Contains(token, StringComparison.Ordinal)
                ? values.Select(v => u.Replace(token, Uri.EscapeDataString(v), StringComparison.Ordinal))
                : [u]);
        }

        return urls;
    }

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");
}
