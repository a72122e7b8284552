using System.Net;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Api.Placements;

namespace SkillVL.Cli.Tests;

/// <summary><c>skillvl node drain NODE --evacuate --wait</c> (issue 14): follows every move the evacuation started and
/// exits non-zero naming those that did not succeed.</summary>
public sealed class NodeEvacuateWaitTests
{
    private static MigrationInfo Migration(string id, string machine, string to, string state, string? error = null) => new(
        id,
        new MigrationMachineRef("m-" + machine, "lab", machine),
        "node1",
        to,
        "live",
        state,
        state == MigrationStates.Succeeded ? MigrationPhases.Done : state == MigrationStates.Failed ? MigrationPhases.Done : MigrationPhases.LiveCopyRam,
        new MigrationProgressInfo(MigrationPhases.LiveCopyRam, 1 << 20, 2 << 20, 50e6, null),
        null,
        null,
        new MigrationLinkInfo(1e9, 1, 0, "request"),
        new MigrationOptionsInfo(null, 300, null, null, false, "overlay", "policy", true),
        new MigrationMetrics(null, null, null, null, null, null, null),
        error,
        "admin",
        [],
        Answers.Now,
        Answers.Now,
        MigrationStates.IsFinal(state) ? Answers.Now.AddSeconds(16) : null);

    private static CliHarness Evacuating(params EvacuationEntry[] entries)
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/nodes/node1/drain", new HttpResponseMessage(HttpStatusCode.NoContent));
        harness.Handler.On("POST", "/api/v1/nodes/node1/evacuate", Answers.Json(HttpStatusCode.OK, entries.ToList()));
        return harness;
    }

    [Fact]
    public async Task DrainEvacuateWait_FollowsEveryMove_ExitsZeroWhenTheNodeIsEmpty()
    {
        var harness = Evacuating(new EvacuationEntry("lab/a", "m-a", "node2", "mig-a", null), new EvacuationEntry("lab/b", "m-b", "node3", "mig-b", null));
        harness.Handler.On("GET", "/api/v1/migrations/mig-a",
            Answers.Json(HttpStatusCode.OK, Migration("mig-a", "a", "node2", MigrationStates.Running)),
            Answers.Json(HttpStatusCode.OK, Migration("mig-a", "a", "node2", MigrationStates.Succeeded)));
        harness.Handler.On("GET", "/api/v1/migrations/mig-b", Answers.Json(HttpStatusCode.OK, Migration("mig-b", "b", "node3", MigrationStates.Succeeded)));

        var run = await harness.RunAsync("node", "drain", "node1", "--evacuate", "--wait");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("lab/a → node2: succeeded", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("lab/b → node3: succeeded", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("node1 is empty: 2 machine(s) moved off it", run.Stdout, StringComparison.Ordinal);
        Assert.True(harness.Handler.Requests.Count(r => r.Uri.AbsolutePath == "/api/v1/migrations/mig-a") >= 2, "the running move was not followed to its end");
    }

    [Fact]
    public async Task DrainEvacuateWait_AMoveFails_ExitsTaskFailed_NamingItAndWhy()
    {
        var harness = Evacuating(
            new EvacuationEntry("lab/a", "m-a", "node2", "mig-a", null),
            new EvacuationEntry("lab/b", "m-b", "node3", "mig-b", null),
            new EvacuationEntry("lab/c", "m-c", null, null, "the room pins it to node1"));
        harness.Handler.On("GET", "/api/v1/migrations/mig-a", Answers.Json(HttpStatusCode.OK, Migration("mig-a", "a", "node2", MigrationStates.Succeeded)));
        harness.Handler.On("GET", "/api/v1/migrations/mig-b", Answers.Json(HttpStatusCode.OK, Migration("mig-b", "b", "node3", MigrationStates.Failed, "the target's agent went away")));

        var run = await harness.RunAsync("node", "drain", "node1", "--evacuate", "--wait");

        Assert.Equal(ExitCodes.TaskFailed, run.ExitCode);
        Assert.Contains("lab/b → node3: failed (the target's agent went away)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 of 2 move(s) off node1 did not succeed: lab/b (failed: the target's agent went away)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 of 3 machine(s) stay on node1: lab/c", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainWait_WithoutEvacuate_IsAUsageError_NothingSent()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("node", "drain", "node1", "--wait");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--wait follows the moves of --evacuate", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }
}
