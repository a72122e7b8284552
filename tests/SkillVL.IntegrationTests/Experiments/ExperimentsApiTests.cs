using System.Net;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Experiments;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using Xunit;

namespace SkillVL.IntegrationTests.Experiments;

/// <summary>
/// The read-only experiments API on a real Server with real logins (issue 13 Deliver 5, ADR 0029): teachers and
/// admins read runs, students get 403, nobody without a token gets anything, and nothing outside the experiments
/// directory is ever served — not through a name, not through a symlink.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ExperimentsApiTests
{
    private const string Secret = "not-for-the-api-51c9";

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 7, 7, 7];

    [Fact]
    public async Task Experiments_TeacherReads_StudentIs403_AnonymousIs401_NothingOutsideIsServed()
    {
        using var root = new TestUtilities.TempDirectory("svl-exp");
        var experiments = Path.Combine(root.Path, "experiments");
        await File.WriteAllTextAsync(Path.Combine(root.Path, "secret.txt"), Secret);
        var smoke = Path.Combine(experiments, "smoke");
        Directory.CreateDirectory(Path.Combine(smoke, "plots"));
        await File.WriteAllTextAsync(Path.Combine(smoke, "results.csv"),
            "run_id,cell_id,outcome,total_s\nc1-r1,c1,succeeded,12.5\nc1-r2,c1,failed,\nc2-r1,c2,succeeded,20.0\n");
        await File.WriteAllTextAsync(Path.Combine(smoke, "report.md"), "# Experiment report\n\n![Total time](plots/time.png)\n");
        await File.WriteAllTextAsync(Path.Combine(smoke, "environment.json"), """{"qemu":"7.2.0"}""");
        await File.WriteAllBytesAsync(Path.Combine(smoke, "plots", "time.png"), Png);
        await File.WriteAllTextAsync(Path.Combine(smoke, "plots", "time.svg"), """<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>""");
        File.CreateSymbolicLink(Path.Combine(smoke, "plots", "leak.png"), Path.Combine(root.Path, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(experiments, "escape"), root.Path);

        await using var server = await ServerHarness.StartAsync(o => o.Experiments.Directory = experiments);
        using var student = await Users.AddAndLoginAsync(server, "stella", PlatformRoles.Student);
        using var teacher = await Users.AddAndLoginAsync(server, "tessa", PlatformRoles.Teacher);
        using var anonymous = server.ClientWith(null);
        string[] routes = [ApiPaths.Experiments, ApiPaths.Experiment("smoke"), ApiPaths.ExperimentPlot("smoke", "time.png")];

        foreach (var route in routes)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(route)).StatusCode);
            using var refused = await student.Client.GetAsync(route);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.DoesNotContain("smoke", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The student is refused before the name is looked at: a bad name is 403 too, not 400.
        Assert.Equal(HttpStatusCode.Forbidden, (await student.Client.GetAsync(ApiPaths.Experiment("a..b"))).StatusCode);

        // A teacher (and the admin) read the list, the run and its plots.
        foreach (var client in new[] { teacher.Client, server.Client })
        {
            var list = await Users.ReadAsync<List<ExperimentSummary>>(await client.GetAsync(ApiPaths.Experiments), HttpStatusCode.OK);
            var run = Assert.Single(list);
            Assert.Equal(("smoke", 3, 2, 2, true), (run.Name, run.Runs, run.Cells, run.Succeeded, run.HasReport));
        }

        var details = await Users.ReadAsync<ExperimentDetails>(await teacher.Client.GetAsync(ApiPaths.Experiment("smoke")), HttpStatusCode.OK);
        Assert.Contains("![Total time](plots/time.png)", details.Report, StringComparison.Ordinal);
        Assert.Equal("7.2.0", details.Environment!.Value.GetProperty("qemu").GetString());
        Assert.Equal(["time.png", "time.svg"], details.Plots);
        Assert.Contains("plots/leak.png: a symbolic link, not served", details.Notes);

        using (var png = await teacher.Client.GetAsync(ApiPaths.ExperimentPlot("smoke", "time.png")))
        {
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
            Assert.Equal(Png, await png.Content.ReadAsByteArrayAsync());
        }

        // The SVG carries a script: served with a sandbox policy (beside the UI's) and nosniff, so it cannot run.
        using (var svg = await teacher.Client.GetAsync(ApiPaths.ExperimentPlot("smoke", "time.svg")))
        {
            Assert.Equal(HttpStatusCode.OK, svg.StatusCode);
            Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
            var policies = svg.Headers.GetValues("Content-Security-Policy").ToList();
            Assert.Contains(policies, p => p.StartsWith("sandbox;", StringComparison.Ordinal) && p.Contains("default-src 'none'", StringComparison.Ordinal));
            Assert.Contains(policies, p => p.Contains("script-src 'self'", StringComparison.Ordinal));
            Assert.Equal("nosniff", Assert.Single(svg.Headers.GetValues("X-Content-Type-Options")));
        }

        // Bad names: 400 naming the parameter; unknown: 404; a symlinked run or plot: never its target's content.
        await AssertProblemAsync(teacher.Client, ApiPaths.Experiment("a..b"), HttpStatusCode.BadRequest, "experiment");
        await AssertProblemAsync(teacher.Client, ApiPaths.Experiment(".hidden"), HttpStatusCode.BadRequest, "experiment");
        await AssertProblemAsync(teacher.Client, ApiPaths.ExperimentPlot("smoke", "report.md"), HttpStatusCode.BadRequest, "plot");
        await AssertProblemAsync(teacher.Client, ApiPaths.ExperimentPlot("smoke", "..secret.png"), HttpStatusCode.BadRequest, "plot");
        await AssertProblemAsync(teacher.Client, ApiPaths.Experiment("nope"), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(teacher.Client, ApiPaths.Experiment("escape"), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(teacher.Client, ApiPaths.ExperimentPlot("smoke", "nope.png"), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(teacher.Client, ApiPaths.ExperimentPlot("smoke", "leak.png"), HttpStatusCode.UnprocessableEntity, null);
        foreach (var path in new[]
        {
            ApiPaths.Experiments + "/escape/plots/secret.txt", ApiPaths.Experiments + "/smoke/plots/..%2F..%2F..%2Fsecret.txt",
            ApiPaths.Experiments + "/%2E%2E/secret.txt", ApiPaths.Experiments + "/smoke/plots/%2E%2E%2F%2E%2E%2F..%2Fsecret.png",
            ApiPaths.Experiments + "/escape", ApiPaths.Experiments + "/..%2Fsecret.txt",
        })
        {
            using var response = await teacher.Client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.False(body.Contains(Secret, StringComparison.Ordinal), $"GET {path} answered {(int)response.StatusCode} with the secret: {body}");
        }
    }

    private static async Task AssertProblemAsync(HttpClient client, string path, HttpStatusCode expected, string? field)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {path} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        if (field is not null)
        {
            using var problem = JsonDocument.Parse(body);
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"GET {path}: the 400 does not name '{field}': {body}");
        }
    }
}
