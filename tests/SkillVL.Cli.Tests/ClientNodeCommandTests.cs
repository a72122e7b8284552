using System.Net;
using SkillVL.Core.Api;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Cli.Tests;

/// <summary>Issue 12: client join tokens for one's own computer, owners in the node list, a course's client-node setting.</summary>
public sealed class ClientNodeCommandTests
{
    [Fact]
    public async Task JoinToken_Client_AsksForAClientToken_AndPrintsTheAgentCommand()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/nodes/join-tokens",
            Answers.Json(HttpStatusCode.OK, new JoinTokenInfo("svl_join_abc", DateTimeOffset.UnixEpoch, "client", "bob")));

        var run = await harness.RunAsync("node", "join-token", "--client", "--name", "laptop-bob");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("svl_join_abc\n", run.Stdout);
        Assert.Contains("\"kind\":\"client\"", harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
        Assert.DoesNotContain("\"owner\":\"", harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
        Assert.Contains("for bob's computer", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(
            "(umask 077; printf '%s\\n' svl_join_abc > skillvl-join-token) && sudo skillvl-agent --server http://127.0.0.1:8080 --join-token-file skillvl-join-token --name laptop-bob --kind client",
            run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--join-token svl_", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task JoinToken_PrintedCommand_RunInAShell_LeavesTheTokenInA0600File_AndPassesOnlyItsName()
    {
        // The printed line, run by bash as a user would paste it; `sudo` is a function that records what the agent got.
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/nodes/join-tokens",
            Answers.Json(HttpStatusCode.OK, new JoinTokenInfo("svl_join_abc-DEF_123", DateTimeOffset.UnixEpoch, "client", "bob")));
        var run = await harness.RunAsync("node", "join-token", "--client", "--name", "laptop-bob");
        var line = run.Stderr.Split('\n').Single(l => l.Contains("skillvl-agent", StringComparison.Ordinal)).Trim();
        var directory = Directory.CreateTempSubdirectory("svl-cli-token-");
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", "umask 022; sudo() { printf '%s\\n' \"$@\" > agent-args; }; " + line])
            {
                WorkingDirectory = directory.FullName,
                RedirectStandardError = true,
            };
            using var shell = System.Diagnostics.Process.Start(start)!;
            var said = await shell.StandardError.ReadToEndAsync();
            await shell.WaitForExitAsync();
            Assert.True(shell.ExitCode == 0, said);

            var file = Path.Combine(directory.FullName, "skillvl-join-token");
            Assert.Equal("svl_join_abc-DEF_123\n", await File.ReadAllTextAsync(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            var args = await File.ReadAllLinesAsync(Path.Combine(directory.FullName, "agent-args"));
            Assert.Equal(
                ["skillvl-agent", "--server", "http://127.0.0.1:8080", "--join-token-file", "skillvl-join-token", "--name", "laptop-bob", "--kind", "client"],
                args);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task JoinToken_ClientWithOwner_SendsTheOwner()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/nodes/join-tokens",
            Answers.Json(HttpStatusCode.OK, new JoinTokenInfo("svl_join_abc", DateTimeOffset.UnixEpoch, "client", "alice")));

        var run = await harness.RunAsync("node", "join-token", "--client", "--owner", "alice");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("\"owner\":\"alice\"", harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
        Assert.Contains("--name NAME --kind client", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JoinToken_OwnerWithoutClient_IsAUsageError_AndSendsNothing()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("node", "join-token", "--owner", "alice");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--client", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task JoinToken_ServerKindRefused_ExitsWithTheServersReason()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/nodes/join-tokens", Answers.Problem(HttpStatusCode.Forbidden, "Forbidden", "kind: only an admin can let server or edge nodes join"));

        var run = await harness.RunAsync("node", "join-token");

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("only an admin can let server or edge nodes join", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task List_AdminView_ShowsTheOwner()
    {
        var harness = new CliHarness();
        var laptop = new NodeInfo("laptop-bob", "client", "ready", "tcg", 4, 8L << 30, 1, 1, 1L << 30, Owner: "bob");
        var server = new NodeInfo("node1", "server", "ready", "kvm", 8, 16L << 30, 0, 0, 0);
        harness.Handler.On("GET", "/api/v1/nodes", Answers.Json(HttpStatusCode.OK, new[] { laptop, server }));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("OWNER", run.Stdout, StringComparison.Ordinal);
        var lines = run.Stdout.Split('\n');
        Assert.Contains(" bob ", lines.Single(l => l.StartsWith("laptop-bob", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(" - ", lines.Single(l => l.StartsWith("node1", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_StudentView_MarksTheirOwnClientNode()
    {
        var harness = new CliHarness();
        var laptop = new NodeInfo("laptop-bob", "client", "ready", "tcg", 4, 8L << 30, 1, 1, 1L << 30, Owner: "bob");
        var server = new NodeInfo("node1", "server", "ready", "kvm", 8, 16L << 30, 0, 0, 0, Allocation: NodeInfo.AllocationYours);
        harness.Handler.On("GET", "/api/v1/nodes", Answers.Json(HttpStatusCode.OK, new[] { laptop, server }));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.DoesNotContain("OWNER", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("client (yours)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_OwnClientNode_Deletes()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/nodes/laptop-bob", new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("node", "remove", "laptop-bob");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("node laptop-bob removed", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--allow-client-nodes", "\"allowClientNodes\":true", "students may move")]
    [InlineData("--no-client-nodes", "\"allowClientNodes\":false", "stay on the platform's nodes")]
    public async Task CourseUpdate_SetsAllowClientNodes(string flag, string body, string printed)
    {
        var harness = new CliHarness();
        var allowed = flag == "--allow-client-nodes";
        harness.Handler.On("PATCH", "/api/v1/courses/net101", Answers.Json(HttpStatusCode.OK, Answers.Course() with { AllowClientNodes = allowed }));

        var run = await harness.RunAsync("course", "update", "net101", flag);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains(body, harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
        Assert.Contains(printed, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CourseUpdate_WithoutASetting_IsAUsageError()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("course", "update", "net101");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task CourseCreate_AllowClientNodes_IsSent()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/courses", Answers.Json(HttpStatusCode.Created, Answers.Course()));

        var run = await harness.RunAsync("course", "create", "net101", "--allow-client-nodes");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("\"allowClientNodes\":true", harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
    }
}
