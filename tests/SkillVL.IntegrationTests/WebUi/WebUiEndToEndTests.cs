using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using SkillVL.Drivers.Qemu.Templates;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.WebUi;

/// <summary>
/// Issue 4's end-to-end test: the built web UI (web/dist) served by a real Server with real tiny guests, driven in
/// Debian's headless Chromium by playwright-core (web/e2e/ui.e2e.mjs, no browser download). The script signs a
/// student in through the embedded issuer's login page, builds a 2-VM room in the designer by clicking, watches both
/// machines turn running over SSE, logs in on one guest's screen through noVNC and touches a file, runs a command on
/// the serial console in xterm.js, checks that another student sees neither the room nor its consoles, and deletes
/// the room from the UI. Before it, this side sets up a course (teacher, a third student enrolled, a 1-VM version
/// published); in the script the teacher opens that student's screen from the course page, publishes the next
/// version and reads an experiment run's report with its plot (ADR 0029), and an admin walks the admin pages and
/// uploads the tiny disk as a template. axe-core checks every main page (no serious or critical violation). This
/// side checks what the script cannot fake: at the script's checkpoint (after the noVNC step, while the room exists)
/// the file exists in the guest, through the admin's exec; afterwards, the audit log holds the browser's sign-ins,
/// the apply, both console sessions with bytes typed, the other student's refused tickets, the delete, the teacher's
/// console session on the student's machine and version 2, and the uploaded template is listed under the content
/// address of the disk's sha256; the course is deleted and no room or QEMU process is left.
/// Screenshots of every step and the axe reports go to a temporary directory, deleted when the test passes (kept,
/// and named in the failure, when it fails); SKILLVL_E2E_ARTIFACTS=DIR puts them in DIR and keeps them (test.sh uses
/// artifacts/e2e-screenshots).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class WebUiEndToEndTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string RoomName = "e2e-lab";
    private const string ExperimentRun = "e2e-smoke";
    private const string CourseName = "e2e101";
    private const string CourseRoom = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: e2e-course-lab }
        machines:
          - { name: box, template: tiny, memory: 128Mi }
        """;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Browser_SignIn_Design_Run_Vnc_Serial_Isolation_Teacher_Admin_Delete()
    {
        var repository = RepositoryRoot.Find();
        var webRoot = Path.Combine(repository, "web", "dist");
        var script = Path.Combine(repository, "web", "e2e", "ui.e2e.mjs");
        Assert.True(File.Exists(Path.Combine(webRoot, "index.html")), $"{webRoot}/index.html is missing: run web/build.sh");
        Assert.True(File.Exists(Chromium), $"Debian's Chromium is missing ({Chromium}): apt-get install chromium (the test never downloads a browser)");
        Assert.True(
            File.Exists(Path.Combine(repository, "web", "e2e", "node_modules", "playwright-core", "package.json")),
            "playwright-core is missing in web/e2e/node_modules: run web/e2e/install.sh");

        var keepShots = Environment.GetEnvironmentVariable("SKILLVL_E2E_ARTIFACTS") is { Length: > 0 } given ? Path.GetFullPath(given) : null;
        var shots = keepShots ?? Directory.CreateTempSubdirectory("svl-e2e-shots-").FullName;
        Directory.CreateDirectory(shots);
        using var checkpoints = new TempDirectory("svl-e2e-checkpoints");

        await using var server = await ServerHarness.StartAsync(o => o.WebRoot = webRoot);
        using var owner = await Users.AddAndLoginAsync(server, "wendy", PlatformRoles.Student);
        using var other = await Users.AddAndLoginAsync(server, "walter", PlatformRoles.Student);
        using var teacher = await Users.AddAndLoginAsync(server, "tess", PlatformRoles.Teacher);
        using var pupil = await Users.AddAndLoginAsync(server, "cora", PlatformRoles.Student);
        using var admin = await Users.AddAndLoginAsync(server, "adele", PlatformRoles.Admin);
        var tinyDisk = Path.Combine(await new TinyImageFixture().EnsureAsync(), "disk.qcow2");

        // The course the teacher step looks at: cora's instance boots while the script runs its first steps.
        await Users.ReadAsync<CourseInfo>(await teacher.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest(CourseName, "E2E course"), ServerHarness.Json), HttpStatusCode.Created);
        await Users.ReadAsync<List<StudentInfo>>(await teacher.Client.PostAsJsonAsync(ApiPaths.Course(CourseName) + "/students", new EnrolRequest([pupil.Username]), ServerHarness.Json), HttpStatusCode.OK);
        using (var yaml = new StringContent(CourseRoom, Encoding.UTF8, "application/yaml"))
        {
            var v1 = await Users.ReadAsync<CourseVersionInfo>(await teacher.Client.PostAsync(ApiPaths.Course(CourseName) + "/versions", yaml), HttpStatusCode.Created);
            Assert.Equal(1, v1.InstancesCreated);
        }

        // An experiment run where the Server reads them (<data>/experiments): the teacher's step opens its report and plot.
        WriteExperimentRun(Path.Combine(server.DataDirectory, "experiments", ExperimentRun));

        static bool BrowserSignIn(AuditEntry a) =>
            a is { Action: "login", Outcome: "ok", Target: "client=skillvl-web grant=authorization_code" };
        // The test's own sign-in (Users.AddAndLoginAsync) is one already; the browser's must come on top.
        var signInsBefore = (await AuditAsync(server, owner.Username)).Count(BrowserSignIn);
        Assert.True(signInsBefore >= 1, "the test's own sign-in is not in the audit log");

        var clock = Stopwatch.StartNew();
        var (exitCode, log, vncCheck) = await RunScriptAsync(server, script, shots, checkpoints.Path,
        [
            "--base-url", server.BaseUrl,
            "--username", owner.Username, "--password", owner.Password,
            "--other-username", other.Username, "--other-password", other.Password,
            "--teacher-username", teacher.Username, "--teacher-password", teacher.Password,
            "--course", CourseName, "--course-student", pupil.Username,
            "--admin-username", admin.Username, "--admin-password", admin.Password,
            "--upload-disk", tinyDisk,
            "--room", RoomName,
            "--experiment", ExperimentRun,
        ]);
        output.WriteLine($"ui.e2e.mjs exited {exitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(exitCode == 0, $"ui.e2e.mjs failed (exit {exitCode}); screenshots in {shots}:\n{LastLines(log, 60)}");
        Assert.True(vncCheck is not null, "the script passed without stopping at its vnc checkpoint:\n" + LastLines(log, 30));
        Assert.Equal("ok", vncCheck);

        // The audit log: what the browser did, as the Server saw it.
        var mine = new List<AuditEntry>();
        await Bounded.WaitUntilAsync(
            async () => (mine = await AuditAsync(server, owner.Username)).Any(a => a.Action == "DELETE /api/v1/rooms/{room}"), TimeSpan.FromSeconds(10), "the delete in the audit log");
        Assert.True(mine.Count(BrowserSignIn) > signInsBefore, $"no authorization-code sign-in of the browser in the audit log (before the script: {signInsBefore}):\n" + string.Join('\n', mine.Select(a => $"{a.At:HH:mm:ss.fff} {a.Action} {a.Outcome} {a.Detail} {a.Target}")));
        Assert.Contains(mine, a => a.Action == "PUT /api/v1/rooms/{room}" && a.Outcome == "202" && a.Target == $"room={RoomName}");
        Assert.Contains(mine, a => a is { Action: "console", Outcome: "opened", Detail: "vnc" });
        Assert.Contains(mine, a => a is { Action: "console", Outcome: "opened", Detail: "serial" });
        Assert.Contains(mine, a => a.Action == "console" && a.Outcome == "closed" && a.Detail!.StartsWith("vnc:", StringComparison.Ordinal) && !a.Detail.Contains(" 0 bytes in", StringComparison.Ordinal));
        Assert.Contains(mine, a => a.Action == "console" && a.Outcome == "closed" && a.Detail!.StartsWith("serial:", StringComparison.Ordinal) && !a.Detail.Contains(" 0 bytes in", StringComparison.Ordinal));
        Assert.Contains(mine, a => a.Action == "DELETE /api/v1/rooms/{room}" && a.Outcome == "202");

        var theirs = await AuditAsync(server, other.Username);
        Assert.Contains(theirs, a => a.Action == "login" && a.Outcome == "ok");
        Assert.Contains(theirs, a => a.Action == "POST /api/v1/rooms/{room}/machines/{machine}/console/tickets" && a.Outcome == "404");
        Assert.DoesNotContain(theirs, a => a.Action == "console");
        Assert.DoesNotContain(theirs, a => a.Outcome is "200" or "202");

        // The teacher: a console session on cora's machine, and version 2 published from the page.
        var tess = await AuditAsync(server, teacher.Username);
        Assert.Contains(tess, a => a is { Action: "console", Outcome: "opened", Detail: "vnc" });
        Assert.Contains(tess, a => a.Action == "POST /api/v1/courses/{course}/versions" && a.Outcome == "201");
        var versions = (await teacher.Client.GetFromJsonAsync<List<CourseVersionInfo>>(ApiPaths.Course(CourseName) + "/versions", ServerHarness.Json))!;
        Assert.Equal([1, 2], versions.Select(v => v.Version).Order());

        // The admin's upload: listed under the content address of the disk the test has.
        var diskSha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(tinyDisk)));
        var templates = (await server.Client.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerHarness.Json))!;
        Assert.Contains(templates, t => t.Name == "e2e-upload" && t.Sha256 == FileTemplateStore.ContentAddress(new Dictionary<string, string> { ["disk.qcow2"] = diskSha }));
        Assert.Contains(await AuditAsync(server, admin.Username), a => a.Action == "POST /api/v1/templates" && a.Outcome == "201");

        using (var deleted = await teacher.Client.DeleteAsync(ApiPaths.Course(CourseName)))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await Bounded.WaitUntilAsync(
            async () => (await server.Client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json))!.Count == 0, TimeSpan.FromSeconds(60), "the course instance deleted with the course");

        // Nothing left: no room (the script saw its delete finish) and no guest process.
        Assert.Empty((await server.Client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json))!);
        await Bounded.WaitUntilAsync(() => server.QemuProcesses().Count == 0, TimeSpan.FromSeconds(30), "no QEMU process left after the delete");

        output.WriteLine($"passed in {clock.Elapsed.TotalSeconds:F1} s (script and checks)");
        if (keepShots is null)
        {
            Directory.Delete(shots, recursive: true);
        }
    }

    /// <summary>A run as <c>skillvl experiment run</c> leaves it, abridged: a report with a table and a real (1 × 1) PNG plot.</summary>
    private static void WriteExperimentRun(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "plots"));
        File.WriteAllText(Path.Combine(directory, "results.csv"), "run_id,cell_id,outcome\nc1-r1,c1,succeeded\nc1-r2,c1,succeeded\n");
        File.WriteAllText(Path.Combine(directory, "environment.json"), """{"qemu":"7.2.0","accelerator":"tcg"}""");
        File.WriteAllText(Path.Combine(directory, "report.md"),
            "# Experiment report\n\n| cell | total s |\n|---|---:|\n| c1 | 12.5 ± 0.4 |\n\n## Plots\n\n![Total time vs RAM](plots/time-vs-ram.png) ([SVG](plots/time-vs-ram.svg))\n");
        File.WriteAllBytes(Path.Combine(directory, "plots", "time-vs-ram.png"), Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="));
        File.WriteAllText(Path.Combine(directory, "plots", "time-vs-ram.svg"), """<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>""");
    }

    /// <summary>
    /// Runs the script with node, echoing its output; answers its vnc checkpoint (the file must exist in the guest,
    /// checked with the admin's exec); kills it by pid (with Chromium) after <see cref="ScriptTimeout"/>.
    /// </summary>
    private async Task<(int ExitCode, string Log, string? VncCheck)> RunScriptAsync(
        ServerHarness server, string script, string shots, string checkpoints, string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        string[] all = [script, .. arguments, "--shots", shots, "--checkpoint-dir", checkpoints];
        foreach (var argument in all)
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            try
            {
                output.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // the test has finished; the log keeps the line
            }
        }

        string Snapshot()
        {
            lock (log)
            {
                return log.ToString();
            }
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"cannot start node ({e.Message}): install Node.js >= 20");
            throw;
        }

        using (process)
        {
            process.OutputDataReceived += (_, e) => Line(e.Data);
            process.ErrorDataReceived += (_, e) => Line(e.Data is null ? null : "stderr: " + e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            string? vncCheck = null;
            var request = Path.Combine(checkpoints, "vnc.json");
            var clock = Stopwatch.StartNew();
            try
            {
                while (!process.HasExited)
                {
                    if (clock.Elapsed > ScriptTimeout)
                    {
                        Line($"ui.e2e.mjs still running after {ScriptTimeout}: killing pid {process.Id} and its children");
                        process.Kill(entireProcessTree: true);
                        await process.WaitForExitAsync();
                        Assert.Fail($"ui.e2e.mjs did not finish within {ScriptTimeout}; screenshots in {shots}:\n{LastLines(Snapshot(), 60)}");
                    }

                    if (vncCheck is null && File.Exists(request))
                    {
                        vncCheck = await CheckVncFileAsync(server, request);
                        Line($"[test] vnc checkpoint: {vncCheck}");
                        await File.WriteAllTextAsync(Path.Combine(checkpoints, "vnc.ack.tmp"), vncCheck);
                        File.Move(Path.Combine(checkpoints, "vnc.ack.tmp"), Path.Combine(checkpoints, "vnc.ack"));
                    }

                    await Task.Delay(200);
                }

                await process.WaitForExitAsync(); // drains the output
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            return (process.ExitCode, Snapshot(), vncCheck);
        }
    }

    /// <summary>The script typed `touch FILE` on the guest's screen: the file must be there (admin exec, by room id).</summary>
    private static async Task<string> CheckVncFileAsync(ServerHarness server, string request)
    {
        try
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(request));
            var roomId = json.RootElement.GetProperty("roomId").GetString()!;
            var machine = json.RootElement.GetProperty("machine").GetString()!;
            var file = json.RootElement.GetProperty("file").GetString()!;
            var status = await server.GetMachineAsync(roomId, machine);
            if (status.State != "running")
            {
                return $"{machine} is {status.State}, not running";
            }

            var result = await server.ExecAsync(roomId, machine, "/bin/sh", "-c", $"test -f {file} && echo present || echo absent");
            return result.Stdout.Trim() == "present" ? "ok" : $"{file} is {result.Stdout.Trim()} in {machine} (exit {result.ExitCode}, {result.Stderr})";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"the check failed: {e.GetType().Name}: {e.Message}";
        }
    }

    private static async Task<List<AuditEntry>> AuditAsync(ServerHarness server, string username) =>
        (await server.Client.GetFromJsonAsync<List<AuditEntry>>($"{ApiPaths.Audit}?user={Uri.EscapeDataString(username)}&limit=1000", ServerHarness.Json))!;

    private static string LastLines(string text, int count) =>
        string.Join('\n', text.Split('\n').TakeLast(count));
}
