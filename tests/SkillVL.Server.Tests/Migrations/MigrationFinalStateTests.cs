using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SkillVL.Core.Api.Migrations;
using SkillVL.Server.Data;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>
/// A migration is written final only once its machine is free: when a client sees "succeeded" (or failed) the machine
/// has left 'migrating', so the next move — a check-in right after a check-out — is not refused by this one's leftovers.
/// </summary>
public sealed class MigrationFinalStateTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FinalState_IsWrittenAfterTheMachineLeftMigrating(bool fail)
    {
        var seen = new FinalStateWatch();
        await using var harness = new MigrationRunnerHarness(seen);
        seen.Harness = harness;
        if (fail)
        {
            harness.Target.Driver.FailOn.Add("PrepareIncoming");
        }

        var id = await harness.SeedAsync();
        var migration = await harness.RunAsync(id);

        Assert.Equal(fail ? MigrationStates.Failed : MigrationStates.Succeeded, migration.State);
        Assert.Equal(migration.State, seen.State);
        Assert.Equal(MachineStates.Running, seen.MachineStateThen);
        Assert.False(harness.Active.IsMigrating(MigrationRunnerHarness.MachineId));
    }

    /// <summary>Reads the machine's state at the moment the migration's final state is saved.</summary>
    private sealed class FinalStateWatch : SaveChangesInterceptor
    {
        public MigrationRunnerHarness? Harness { get; set; }

        public string? State { get; private set; }

        public string? MachineStateThen { get; private set; }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            var final = eventData.Context!.ChangeTracker.Entries<MigrationEntity>()
                .FirstOrDefault(e => e.State == EntityState.Modified && MigrationStates.IsFinal(e.Entity.State));
            if (final is not null && Harness is not null && State is null)
            {
                State = final.Entity.State;
                MachineStateThen = (await Harness.MachineAsync()).ObservedState;
            }

            return result;
        }
    }
}
