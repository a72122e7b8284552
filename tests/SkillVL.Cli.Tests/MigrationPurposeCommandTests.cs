using System.Net;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Cli.Tests;

/// <summary>A migration's purpose (ADR 0023) in <c>skillvl migration list|show</c>, and a check-out that succeeded as a
/// plain move (its server node kept no copy) reported as such by <c>skillvl vm checkout</c>.</summary>
public sealed class MigrationPurposeCommandTests
{
    private const string NotRetained = "Moved, not checked out: node1 could not keep its copy of the disk (Retain failed)";

    private static MigrationInfo Migration(string id, string? purpose, string state = MigrationStates.Succeeded, string? error = null) => new(
        id,
        new MigrationMachineRef("m1", "lab", "web"),
        "node1",
        "laptop1",
        "live",
        state,
        state == MigrationStates.Succeeded ? MigrationPhases.Done : MigrationPhases.Pending,
        new MigrationProgressInfo(MigrationPhases.Done, 0, 0, 0, null),
        null,
        null,
        null,
        new MigrationOptionsInfo(null, 300, null, null, false, "overlay", "policy", true),
        new MigrationMetrics(16000, 90, null, 1L << 20, 1L << 20, 0, 1e6),
        error,
        "alice",
        [],
        Answers.Now,
        Answers.Now,
        MigrationStates.IsFinal(state) ? Answers.Now.AddSeconds(16) : null,
        purpose);

    [Fact]
    public async Task List_ShowsEachMigrationsPurpose_MoveForAPlainOne()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/migrations", Answers.Json(HttpStatusCode.OK, new[] { Migration("mig1", "checkout"), Migration("mig2", "checkin"), Migration("mig3", null) }));

        var run = await harness.RunAsync("migration", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("PURPOSE", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^mig1\s+lab/web\s+node1\s+laptop1\s+checkout\s+succeeded", lines[1]);
        Assert.Matches(@"^mig2\s+lab/web\s+node1\s+laptop1\s+checkin\s+succeeded", lines[2]);
        Assert.Matches(@"^mig3\s+lab/web\s+node1\s+laptop1\s+move\s+succeeded", lines[3]);
    }

    [Fact]
    public async Task Show_PrintsThePurpose_AndASucceededOnesErrorAsANote()
    {
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/migrations/mig1", Answers.Json(HttpStatusCode.OK, Migration("mig1", "checkout", error: NotRetained)));

        var run = await harness.RunAsync("migration", "show", "mig1");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Matches(@"(?m)^Purpose:\s+checkout$", run.Stdout);
        Assert.Matches(@"(?m)^Note:\s+Moved, not checked out", run.Stdout);
        Assert.DoesNotMatch(@"(?m)^Error:", run.Stdout);
    }

    [Fact]
    public async Task Checkout_ThatKeptNoServerCopy_SaysItWasOnlyMoved_ExitsTaskFailed()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/checkout", Answers.Json(HttpStatusCode.Accepted, Migration("mig1", "checkout", MigrationStates.Pending)));
        harness.Handler.On("GET", "/api/v1/migrations/mig1", Answers.Json(HttpStatusCode.OK, Migration("mig1", "checkout", error: NotRetained)));

        var run = await harness.RunAsync("vm", "checkout", "lab/web", "--to", "laptop1");

        Assert.Equal(ExitCodes.TaskFailed, run.ExitCode);
        Assert.DoesNotContain("is checked out", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("skillvl: lab/web moved to laptop1 but is not checked out (migration mig1): Moved, not checked out", run.Stderr, StringComparison.Ordinal);
    }
}
