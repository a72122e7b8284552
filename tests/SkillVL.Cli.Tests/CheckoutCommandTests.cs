using System.Net;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Rooms;

namespace SkillVL.Cli.Tests;

/// <summary><c>skillvl vm checkout|checkin|sync|get|list</c> (ADR 0023) against the fake HTTP handler.</summary>
public sealed class CheckoutCommandTests
{
    private static readonly CheckoutInfo Checkout = new("laptop1", "node1", Answers.Now.AddHours(-2), Answers.Now.AddMinutes(-3), 3L << 20, 64L << 20);

    private static MigrationInfo Migration(string from, string to, string state, string? error = null) => new(
        "mig1",
        new MigrationMachineRef("m1", "lab", "web"),
        from,
        to,
        "live",
        state,
        state == MigrationStates.Succeeded ? MigrationPhases.Done : MigrationPhases.Pending,
        new MigrationProgressInfo(MigrationPhases.Pending, 0, 0, 0, null),
        null,
        null,
        null,
        new MigrationOptionsInfo(null, 300, null, null, false, "overlay", "policy", true),
        new MigrationMetrics(null, null, null, null, null, null, null),
        error,
        "alice",
        [],
        Answers.Now,
        Answers.Now,
        MigrationStates.IsFinal(state) ? Answers.Now.AddSeconds(16) : null);

    private static MachineStatus Machine(CheckoutInfo? checkout) =>
        new("m1", "web", checkout?.Node ?? "node1", "running", "running", true, 1, 256L << 20, [new NicStatus("lan", "10.0.1.10", "52:54:00:12:34:56")], null, checkout);

    [Fact]
    public async Task Checkout_SendsTheNode_FollowsTheMove_SaysWhereTheCopyStays()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/checkout", Answers.Json(HttpStatusCode.Accepted, Migration("node1", "laptop1", MigrationStates.Pending)));
        harness.Handler.On("GET", "/api/v1/migrations/mig1", Answers.Json(HttpStatusCode.OK, Migration("node1", "laptop1", MigrationStates.Succeeded)));

        var run = await harness.RunAsync("vm", "checkout", "lab/web", "--to", "laptop1");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("lab/web is checked out to laptop1; the server keeps its copy on node1", run.Stdout, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(harness.Handler.Requests[0].Body!);
        Assert.Equal("laptop1", body.RootElement.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Checkout_NoWait_PrintsTheMigrationId_Only()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/checkout", Answers.Json(HttpStatusCode.Accepted, Migration("node1", "laptop1", MigrationStates.Pending)));

        var run = await harness.RunAsync("vm", "checkout", "lab/web", "--to", "laptop1", "--no-wait");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("mig1\n", run.Stdout);
        Assert.Single(harness.Handler.Requests);
    }

    [Fact]
    public async Task Checkout_ToAServerNode_PrintsTheField_ExitsInvalidInput()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/checkout", Answers.Problem(HttpStatusCode.BadRequest, "The checkout request is not valid.", null,
            new Dictionary<string, string[]> { ["to"] = ["node 'node2' is a server node: a check-out goes to a client node"] }));

        var run = await harness.RunAsync("vm", "checkout", "lab/web", "--to", "node2");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("to: node 'node2' is a server node", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Checkout_WithoutTo_IsAUsageError_NothingSent()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("vm", "checkout", "lab/web");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task Checkin_NotCheckedOut_ExitsConflict()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/checkin", Answers.Problem(HttpStatusCode.Conflict, "Conflict", "lab/web is not checked out: nothing to check in"));

        var run = await harness.RunAsync("vm", "checkin", "lab/web");

        Assert.Equal(ExitCodes.Conflict, run.ExitCode);
        Assert.Contains("not checked out", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkin_Failed_ExitsTaskFailed_SaysWhereItRuns()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/checkin", Answers.Json(HttpStatusCode.Accepted, Migration("laptop1", "node1", MigrationStates.Pending)));
        harness.Handler.On("GET", "/api/v1/migrations/mig1", Answers.Json(HttpStatusCode.OK, Migration("laptop1", "node1", MigrationStates.Failed, "link cut")));

        var run = await harness.RunAsync("vm", "checkin", "lab/web");

        Assert.Equal(ExitCodes.TaskFailed, run.ExitCode);
        Assert.Contains("check-in of lab/web failed (migration mig1): link cut; the machine runs on laptop1", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_PrintsWhatItCopied_AndWhatIsLeft()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/sync",
            Answers.Json(HttpStatusCode.OK, new CheckoutSyncInfo(Checkout, 64L << 20, 60L << 20, 1400, FullCopy: false)));

        var run = await harness.RunAsync("vm", "sync", "lab/web");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("lab/web: synced 64Mi from laptop1 into the copy on node1 in 1.4 s", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("unsynced now: 3Mi", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ShowsWhereItIsCheckedOut_AndItsLastSync()
    {
        var harness = new CliHarness { TimeProvider = new InstantTimeProvider(Answers.Now) };
        harness.Handler.On("GET", "/api/v1/rooms/lab/machines/web", Answers.Json(HttpStatusCode.OK, Machine(Checkout)));

        var run = await harness.RunAsync("vm", "get", "lab/web");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Matches(@"Checked out:\s+to laptop1 since", run.Stdout);
        Assert.Matches(@"Retained on:\s+node1", run.Stdout);
        Assert.Matches(@"Unsynced:\s+3Mi", run.Stdout);
        Assert.Matches(@"Last sync:\s+\S+.*\(3m ago\)", run.Stdout);
    }

    [Fact]
    public async Task List_ShowsTheCheckoutColumn_DashWhereNone()
    {
        var harness = new CliHarness { TimeProvider = new InstantTimeProvider(Answers.Now) };
        var definition = new RoomDefinition { Metadata = new RoomMetadata { Name = "lab" } };
        var other = new MachineStatus("m2", "db", "node2", "running", "running", true, 1, 256L << 20, [], null);
        harness.Handler.On("GET", "/api/v1/rooms/lab", Answers.Json(HttpStatusCode.OK,
            new RoomDetails("r1", "lab", "Ready", 1, 1, Answers.Now, Answers.Now, definition, [Machine(Checkout), other], [])));

        var run = await harness.RunAsync("vm", "list", "lab");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var lines = run.Stdout.Split('\n');
        Assert.Contains("CHECKED OUT", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^web\s+running\s+laptop1\s+laptop1 \(2h\)\s+node1\s+3m ago\s+3Mi", lines.Single(l => l.StartsWith("web", StringComparison.Ordinal)));
        Assert.Matches(@"^db\s+running\s+node2\s+-\s+-\s+-\s+-", lines.Single(l => l.StartsWith("db", StringComparison.Ordinal)));
    }
}
