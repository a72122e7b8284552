using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>Runs survive nothing: what a previous Server process left running is failed and cleaned up at start.</summary>
public sealed class MigrationRecoveryTests
{
    [Fact]
    public async Task LeftRunning_IsFailed_KeptFromTheReconciler_UntilBothEndsAreCleanedUp()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        await using (var db = await harness.Db.CreateDbContextAsync())
        {
            await db.Migrations.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, MigrationStates.Running).SetProperty(m => m.Phase, MigrationPhases.LiveCopyRam));
        }

        await harness.Runner.RecoverAsync(CancellationToken.None);

        var migration = await harness.MigrationAsync(id);
        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("restarted during live-copy-ram", migration.Error, StringComparison.Ordinal);
        Assert.True(harness.Active.IsMigrating(MigrationRunnerHarness.MachineId), "the reconciler must keep off until the cleanup ran");
        Assert.Empty(harness.Log.Calls);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await harness.Runner.StartAsync(stop.Token);
        while (harness.Active.IsMigrating(MigrationRunnerHarness.MachineId))
        {
            await Task.Delay(10, stop.Token);
        }

        await harness.Runner.StopAsync(CancellationToken.None);
        Assert.Equal(["src:CancelOutgoing", "dst:AbortIncoming"], harness.Log.Calls);
        Assert.Equal("src", (await harness.MachineAsync()).NodeName);
    }

    [Fact]
    public async Task LeftFinalizing_HadMoved_IsSucceeded_NothingUndone()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        await using (var db = await harness.Db.CreateDbContextAsync())
        {
            await db.Migrations.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, MigrationStates.Running).SetProperty(m => m.Phase, MigrationPhases.Finalize));
        }

        await harness.Runner.RecoverAsync(CancellationToken.None);

        Assert.Equal(MigrationStates.Succeeded, (await harness.MigrationAsync(id)).State);
        Assert.False(harness.Active.IsMigrating(MigrationRunnerHarness.MachineId));
    }
}
