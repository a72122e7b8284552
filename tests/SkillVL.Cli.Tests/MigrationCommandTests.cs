using System.Net;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Cli.Tests;

public sealed class MigrationCommandTests
{
    private static MigrationInfo Migration(string state, string phase, long done = 0, long total = 0, string? error = null, params string[] log) => new(
        "mig1",
        new MigrationMachineRef("m1", "lab", "web"),
        "local",
        "edge1",
        "live",
        state,
        phase,
        new MigrationProgressInfo(phase, done, total, 50e6, total > 0 ? 3 : null),
        null,
        null,
        new MigrationLinkInfo(50e6, 40, 0, "request"),
        new MigrationOptionsInfo(null, 300, null, null, false, "overlay", "policy", true),
        state == MigrationStates.Succeeded ? new MigrationMetrics(16000, 260, null, 300 << 20, 64 << 20, 0, 190e6) : new MigrationMetrics(null, null, null, null, null, null, null),
        error,
        "admin",
        log.Select((l, i) => new TaskLogLine(Answers.Now.AddSeconds(i), l)).ToList(),
        Answers.Now,
        Answers.Now,
        MigrationStates.IsFinal(state) ? Answers.Now.AddSeconds(16) : null);

    [Fact]
    public async Task Migrate_SendsTheRequest_PrintsTheId()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/migrations", Answers.Json(HttpStatusCode.Accepted, Migration(MigrationStates.Pending, MigrationPhases.Pending)));

        var run = await harness.RunAsync("vm", "migrate", "lab/web", "--to", "edge1", "--max-bandwidth", "50Mbit", "--downtime-limit", "300ms");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("mig1\n", run.Stdout);
        using var body = JsonDocument.Parse(harness.Handler.Requests.Single().Body!);
        Assert.Equal("lab/web", body.RootElement.GetProperty("machine").GetString());
        Assert.Equal("edge1", body.RootElement.GetProperty("to").GetString());
        Assert.Equal("live", body.RootElement.GetProperty("mode").GetString());
        Assert.Equal("50Mbit", body.RootElement.GetProperty("maxBandwidth").GetString());
        Assert.Equal("300ms", body.RootElement.GetProperty("downtimeLimit").GetString());
    }

    [Fact]
    public async Task Migrate_BadLimit_PrintsFieldAndMessage_ExitsInvalidInput()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/migrations", Answers.Problem(HttpStatusCode.BadRequest, "The migration request is not valid.", null,
            new Dictionary<string, string[]> { ["maxBandwidth"] = ["must be more than 0 (got 0 bytes/s); leave it out for no cap"] }));

        var run = await harness.RunAsync("vm", "migrate", "lab/web", "--to", "edge1", "--max-bandwidth", "0Mbit");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("maxBandwidth: must be more than 0", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Migrate_WhileOneRuns_ExitsConflict()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/migrations", Answers.Problem(HttpStatusCode.Conflict, "Conflict", "lab/web: a migration of this machine is already running"));

        var run = await harness.RunAsync("vm", "migrate", "lab/web", "--to", "edge1");

        Assert.Equal(ExitCodes.Conflict, run.ExitCode);
        Assert.Contains("already running", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_UnknownMode_IsAUsageError_NothingSent()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("vm", "migrate", "lab/web", "--to", "edge1", "--mode", "sideways");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task MigrateWait_FollowsProgress_ExitsZeroOnSuccess_JsonOnStdout()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/migrations", Answers.Json(HttpStatusCode.Accepted, Migration(MigrationStates.Pending, MigrationPhases.Pending)));
        harness.Handler.On("GET", "/api/v1/migrations/mig1",
            Answers.Json(HttpStatusCode.OK, Migration(MigrationStates.Running, MigrationPhases.TransferDisk, 32 << 20, 64 << 20, null, "Prepare: ...", "Transfer disk: mirroring to the target.")),
            Answers.Json(HttpStatusCode.OK, Migration(MigrationStates.Running, MigrationPhases.LiveCopyRam, 128 << 20, 256 << 20, null, "Prepare: ...", "Transfer disk: mirroring to the target.", "live copy RAM")),
            Answers.Json(HttpStatusCode.OK, Migration(MigrationStates.Succeeded, MigrationPhases.Done, 256 << 20, 256 << 20, null, "Prepare: ...", "Transfer disk: mirroring to the target.", "live copy RAM", "Succeeded.")));

        var run = await harness.RunAsync("vm", "migrate", "lab/web", "--to", "edge1", "--wait", "-o", "json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("transfer-disk  32Mi/64Mi  50%  50 Mbit/s  ETA 3s", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("live-copy-ram  128Mi/256Mi  50%", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n'), l => l.EndsWith("Transfer disk: mirroring to the target.", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("succeeded", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(260, json.RootElement.GetProperty("metrics").GetProperty("downtimeMs").GetDouble());
    }

    [Fact]
    public async Task MigrateWait_Failed_ExitsTaskFailed_WithTheReason()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/migrations", Answers.Json(HttpStatusCode.Accepted, Migration(MigrationStates.Pending, MigrationPhases.Pending)));
        harness.Handler.On("GET", "/api/v1/migrations/mig1",
            Answers.Json(HttpStatusCode.OK, Migration(MigrationStates.Failed, MigrationPhases.LiveCopyRam, 0, 0, "The source reported a failure: Connection reset by peer")));

        var run = await harness.RunAsync("vm", "migrate", "lab/web", "--to", "edge1", "--wait");

        Assert.Equal(ExitCodes.TaskFailed, run.ExitCode);
        Assert.Contains("migration mig1 of lab/web failed: The source reported a failure: Connection reset by peer", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("State:", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_TooLate_ExitsConflict_Show_Unknown_ExitsNotFound()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/migrations/mig1/cancel", Answers.Problem(HttpStatusCode.Conflict, "Conflict", "migration mig1 is switching over"));
        harness.Handler.On("GET", "/api/v1/migrations/nope", Answers.Problem(HttpStatusCode.NotFound, "Not found", "Migration 'nope' does not exist."));

        var cancel = await harness.RunAsync("migration", "cancel", "mig1");
        var show = await harness.RunAsync("migration", "show", "nope");

        Assert.Equal(ExitCodes.Conflict, cancel.ExitCode);
        Assert.Contains("switching over", cancel.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, show.ExitCode);
        Assert.Contains("migration 'nope' not found", show.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ShowsTimesAndDowntime()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/migrations", Answers.Json(HttpStatusCode.OK, new[] { Migration(MigrationStates.Succeeded, MigrationPhases.Done) }));

        var run = await harness.RunAsync("migration", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("lab/web", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("16000 ms", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("260 ms", run.Stdout, StringComparison.Ordinal);
    }
}
