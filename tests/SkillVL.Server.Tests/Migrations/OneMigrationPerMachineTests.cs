using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Migrations;
using SkillVL.Server.Data;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>The database itself refuses a second active migration of a machine, so two requests that passed the checks
/// at the same moment cannot both start one; finished ones do not count.</summary>
public sealed class OneMigrationPerMachineTests
{
    [Fact]
    public async Task SecondActiveMigration_IsRefusedByTheIndex_FinishedOnesAreNot()
    {
        await using var harness = new MigrationRunnerHarness();
        var first = await harness.SeedAsync();
        await using var db = await harness.Db.CreateDbContextAsync();
        var template = await db.Migrations.AsNoTracking().FirstAsync(m => m.Id == first);

        db.Migrations.Add(Copy(template, "finished", MigrationStates.Failed));
        await db.SaveChangesAsync();
        db.Migrations.Add(Copy(template, "second", MigrationStates.Running));

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    private static MigrationEntity Copy(MigrationEntity m, string id, string state) => new()
    {
        Id = id, MachineId = m.MachineId, MachineName = m.MachineName, RoomId = m.RoomId, RoomName = m.RoomName, OwnerId = m.OwnerId,
        SourceNode = m.SourceNode, TargetNode = m.TargetNode, Mode = m.Mode, State = state, Phase = m.Phase, LimitsJson = m.LimitsJson,
        DiskTransfer = m.DiskTransfer, Tuning = m.Tuning, CreatedAt = m.CreatedAt,
    };
}
