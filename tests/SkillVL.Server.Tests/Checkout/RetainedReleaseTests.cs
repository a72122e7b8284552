using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>A deleted room takes its checked-out machines' retained copies with it (ADR 0023), and waits for them.</summary>
public sealed class RetainedReleaseTests
{
    [Fact]
    public async Task DeletedRoom_ReleasesTheRetainedCopy_ThenIsGone()
    {
        await using var harness = new MigrationRunnerHarness();
        await SeedDeletedCheckedOutRoomAsync(harness);

        await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("dst:checkouts.ReleaseRetained", harness.Log.Steps);
        await using var db = await harness.Db.CreateDbContextAsync();
        Assert.False(await db.Rooms.AnyAsync(r => r.Id == MigrationRunnerHarness.RoomId));
    }

    [Fact]
    public async Task DeletedRoom_WhenTheReleaseFails_WaitsForIt()
    {
        await using var harness = new MigrationRunnerHarness();
        var retained = await SeedDeletedCheckedOutRoomAsync(harness);
        retained.FailOn.Add("ReleaseRetained");

        await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        await using var db = await harness.Db.CreateDbContextAsync();
        Assert.True(await db.Rooms.AnyAsync(r => r.Id == MigrationRunnerHarness.RoomId));
    }

    private static async Task<FakeCheckoutDriver> SeedDeletedCheckedOutRoomAsync(MigrationRunnerHarness harness)
    {
        var retained = new FakeCheckoutDriver("dst", harness.Log);
        harness.Source.Checkouts = new FakeCheckoutDriver("src", harness.Log);
        harness.Target.Checkouts = retained;
        await harness.SeedAsync();
        await using var db = await harness.Db.CreateDbContextAsync();
        await db.Migrations.ExecuteDeleteAsync();
        await db.Machines.Where(m => m.Id == MigrationRunnerHarness.MachineId).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.CheckoutNode, "src")
            .SetProperty(m => m.CheckoutRetainedOn, "dst")
            .SetProperty(m => m.CheckoutSince, DateTimeOffset.UtcNow));
        await db.Rooms.Where(r => r.Id == MigrationRunnerHarness.RoomId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DeletionRequested, true));
        return retained;
    }
}
