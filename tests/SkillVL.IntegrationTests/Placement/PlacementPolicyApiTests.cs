using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Placements;
using SkillVL.Core.Placement.Control;
using SkillVL.IntegrationTests.Auth;
using Xunit;

namespace SkillVL.IntegrationTests.Placement;

/// <summary>
/// Placement policies and the decision log through the HTTP API (issue 14, ADR 0030), on a real Server: who may set what,
/// the bad input the issue names (an unknown course or room, a window that never opens) as 400s naming the field, and the
/// decision log and manual evaluation kept to admins. tessa teaches net1 with alice in it; otto teaches net2.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class PlacementPolicyApiTests
{
    [Fact]
    public async Task Policies_WhoMaySetWhat_BadInputNamesTheField_DecisionsAdminOnly()
    {
        await using var server = await ServerHarness.StartAsync();
        using var alice = await Users.AddAndLoginAsync(server, "alice", PlatformRoles.Student);
        using var tessa = await Users.AddAndLoginAsync(server, "tessa", PlatformRoles.Teacher);
        using var otto = await Users.AddAndLoginAsync(server, "otto", PlatformRoles.Teacher);
        await Users.ReadAsync<CourseInfo>(await tessa.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("net1"), ServerHarness.Json), HttpStatusCode.Created);
        await Users.ReadAsync<CourseInfo>(await otto.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest("net2"), ServerHarness.Json), HttpStatusCode.Created);
        await Users.ReadAsync<List<StudentInfo>>(await tessa.Client.PostAsJsonAsync(ApiPaths.Course("net1") + "/students", new EnrolRequest(["alice"]), ServerHarness.Json), HttpStatusCode.OK);
        var now = DateTimeOffset.UtcNow;
        var exam = new QuietWindowInfo(now.AddHours(1), now.AddHours(3));

        // The global policy is an admin's; the limits live there only.
        var global = await Put(server.Client, "global", null, new PlacementPolicyRequest(PlacementModes.Suggest, MaxMovesPerNode: 2), HttpStatusCode.OK);
        Assert.Equal((PlacementModes.Suggest, 2), (global.Mode, global.MaxMovesPerNode));
        await Problem(tessa.Client, "global", null, new PlacementPolicyRequest(PlacementModes.Auto), HttpStatusCode.Forbidden, null);

        // The course's teacher sets its policy; its student may not; another teacher does not even see the course.
        var course = await Put(tessa.Client, "course", "net1", new PlacementPolicyRequest(PlacementModes.Auto, 2, Windows: [exam]), HttpStatusCode.OK);
        Assert.Equal(("net1", PlacementModes.Auto, 2, "tessa"), (course.ScopeName, course.Mode, course.HysteresisEvaluations, course.UpdatedBy));
        Assert.Equal(exam.To, Assert.Single(course.Windows).To);
        await Problem(alice.Client, "course", "net1", new PlacementPolicyRequest(PlacementModes.Off), HttpStatusCode.Forbidden, null);
        await Problem(otto.Client, "course", "net1", new PlacementPolicyRequest(PlacementModes.Off), HttpStatusCode.BadRequest, "course");

        // Bad input: an unknown course or room, a window that never opens, a limit below the global scope, a bad mode.
        await Problem(tessa.Client, "course", "nosuch", new PlacementPolicyRequest(PlacementModes.Off), HttpStatusCode.BadRequest, "course");
        await Problem(tessa.Client, "room", "nosuch", new PlacementPolicyRequest(PlacementModes.Off), HttpStatusCode.BadRequest, "room");
        var over = await Problem(tessa.Client, "course", "net1",
            new PlacementPolicyRequest(Windows: [exam, new QuietWindowInfo(now.AddHours(-2), now.AddHours(-1))]), HttpStatusCode.BadRequest, "windows[1]");
        Assert.Contains("never opens", over, StringComparison.Ordinal);
        await Problem(tessa.Client, "course", "net1", new PlacementPolicyRequest(Windows: [new QuietWindowInfo(now.AddHours(2), now.AddHours(1))]), HttpStatusCode.BadRequest, "windows[0]");
        await Problem(tessa.Client, "course", "net1", new PlacementPolicyRequest(MaxMovesPerNode: 3), HttpStatusCode.BadRequest, "maxMovesPerNode");
        await Problem(tessa.Client, "course", "net1", new PlacementPolicyRequest("sometimes"), HttpStatusCode.BadRequest, "mode");
        await Problem(tessa.Client, "team", "net1", new PlacementPolicyRequest("off"), HttpStatusCode.BadRequest, "scope");
        // Nothing half-made: the course's policy is what tessa set first.
        Assert.Equal(PlacementModes.Auto, (await Get(tessa.Client, "course", "net1", HttpStatusCode.OK))!.Mode);

        // A student sets his own policy to keep his machines still, not to have them moved, and no one else's.
        await Put(alice.Client, "user", "alice", new PlacementPolicyRequest(PlacementModes.Off, Windows: [exam]), HttpStatusCode.OK);
        await Problem(alice.Client, "user", "alice", new PlacementPolicyRequest(PlacementModes.Auto), HttpStatusCode.BadRequest, "mode");
        await Problem(alice.Client, "user", "alice", new PlacementPolicyRequest(MinStaySeconds: 0), HttpStatusCode.BadRequest, "minStaySeconds");
        await Problem(alice.Client, "user", tessa.Id, new PlacementPolicyRequest(PlacementModes.Off), HttpStatusCode.Forbidden, null);
        await Problem(tessa.Client, "user", "alice", new PlacementPolicyRequest(PlacementModes.Auto), HttpStatusCode.Forbidden, null);
        await Put(server.Client, "user", "tessa", new PlacementPolicyRequest(PlacementModes.Auto), HttpStatusCode.OK); // an admin may

        // Listings: each sees the global policy and their own scopes' only.
        Assert.Equal(["global", "course:net1", "user:alice"], await Scopes(alice.Client));
        Assert.Equal(["global", "course:net1", "user:tessa"], await Scopes(tessa.Client));
        Assert.Equal(["global"], await Scopes(otto.Client));
        Assert.Equal(["global", "course:net1", "user:alice", "user:tessa"], await Scopes(server.Client));
        await Get(otto.Client, "user", "alice", HttpStatusCode.NotFound);

        // The decision log and a manual evaluation are an admin's.
        foreach (var client in new[] { alice.Client, tessa.Client })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(ApiPaths.PlacementDecisions)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync(ApiPaths.PlacementEvaluate, null)).StatusCode);
        }

        // One node, nothing running: nothing to decide, and the log says so by being empty.
        Assert.Empty(await Users.ReadAsync<List<PlacementDecision>>(await server.Client.PostAsync(ApiPaths.PlacementEvaluate, null), HttpStatusCode.OK));
        Assert.Empty(await Users.ReadAsync<List<PlacementDecision>>(await server.Client.GetAsync(ApiPaths.PlacementDecisions), HttpStatusCode.OK));

        // Accepting a recommendation re-checks it: a machine that is not running is refused with the reason.
        var refused = await alice.Client.PostAsJsonAsync(ApiPaths.Recommendations + "/accept", new AcceptRecommendationRequest("lab/box", "node2"), ServerHarness.Json);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("the situation changed", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await ProblemAt(alice.Client, ApiPaths.Recommendations + "/accept", new AcceptRecommendationRequest(null, "node2"), "machine");

        // Removing a policy lets the less specific scopes decide again.
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.DeleteAsync(ApiPaths.PlacementPolicy("user", "alice"))).StatusCode);
        await Get(alice.Client, "user", "alice", HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Client.DeleteAsync(ApiPaths.PlacementPolicy("course", "net1"))).StatusCode);

        // The CLI (as the admin): set, list, bad input with a message naming the field and a non-zero exit, decisions.
        var window = $"{now.AddHours(5):yyyy-MM-ddTHH:mm:ssZ}/{now.AddHours(6):yyyy-MM-ddTHH:mm:ssZ}";
        var set = await server.CliAsync("placement", "policy", "set", "course", "net1", "--mode", "suggest", "--min-stay", "120", "--window", window);
        Assert.True(set.ExitCode == 0, set.Stderr);
        var listed = await server.CliAsync("placement", "policy", "list");
        Assert.Contains(listed.Stdout.Split('\n'), l => l.StartsWith("course", StringComparison.Ordinal) && l.Contains("net1", StringComparison.Ordinal)
            && l.Contains("suggest", StringComparison.Ordinal) && l.Contains("120 s", StringComparison.Ordinal));
        var unknown = await server.CliAsync("placement", "policy", "set", "room", "nosuch", "--mode", "off");
        Assert.Equal(4, unknown.ExitCode);
        Assert.Contains("room", unknown.Stderr, StringComparison.Ordinal);
        var never = await server.CliAsync("placement", "policy", "set", "course", "net1", "--window", $"{now.AddHours(-3):yyyy-MM-ddTHH:mm:ssZ}/{now.AddHours(-2):yyyy-MM-ddTHH:mm:ssZ}");
        Assert.Equal(4, never.ExitCode);
        Assert.Contains("never opens", never.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await server.CliAsync("placement", "policy", "set", "course", "net1", "--window", "tomorrow")).ExitCode);
        Assert.Equal(0, (await server.CliAsync("placement", "decisions")).ExitCode);
    }

    private static async Task<PlacementPolicyInfo> Put(HttpClient client, string scope, string? target, PlacementPolicyRequest request, HttpStatusCode expected) =>
        await Users.ReadAsync<PlacementPolicyInfo>(await client.PutAsJsonAsync(ApiPaths.PlacementPolicy(scope, target), request, ServerHarness.Json), expected);

    private static async Task<PlacementPolicyInfo?> Get(HttpClient client, string scope, string? target, HttpStatusCode expected)
    {
        using var response = await client.GetAsync(ApiPaths.PlacementPolicy(scope, target));
        Assert.Equal(expected, response.StatusCode);
        return expected == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<PlacementPolicyInfo>(ServerHarness.Json) : null;
    }

    /// <summary>Expects <paramref name="expected"/>; for a 400, an error on <paramref name="field"/>, whose message it returns.</summary>
    private static async Task<string> Problem(HttpClient client, string scope, string? target, PlacementPolicyRequest request, HttpStatusCode expected, string? field)
    {
        using var response = await client.PutAsJsonAsync(ApiPaths.PlacementPolicy(scope, target), request, ServerHarness.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"PUT {scope}/{target} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        return field is null ? body : ErrorOn(body, field);
    }

    private static async Task ProblemAt(HttpClient client, string path, object request, string field)
    {
        using var response = await client.PostAsJsonAsync(path, request, ServerHarness.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST {path} answered {(int)response.StatusCode}: {body}");
        ErrorOn(body, field);
    }

    private static string ErrorOn(string body, string field)
    {
        using var problem = JsonDocument.Parse(body);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"expected an error on '{field}', got {errors}");
        return messages[0].GetString()!;
    }

    private static async Task<List<string>> Scopes(HttpClient client)
    {
        var list = await client.GetFromJsonAsync<List<PlacementPolicyInfo>>(ApiPaths.PlacementPolicies, ServerHarness.Json);
        return list!.Select(p => p.ScopeName is null ? p.Scope : $"{p.Scope}:{p.ScopeName}").ToList();
    }
}
