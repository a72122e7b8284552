using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Migrations;
using SkillVL.Server.Migrations;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>The gap after a check-out's switch-over (issue 12): the guest already runs on the client when the source is
/// asked to keep its disk. If it cannot, the move stands but no check-out is recorded — a check-out without a retained copy
/// would have nothing to sync into and nothing to check in onto.</summary>
public sealed class CheckoutNotRetainedTests
{
    [Fact]
    public async Task Checkout_WhenRetainFails_MovesTheMachine_RecordsNoCheckout_SucceedsWithANote()
    {
        await using var harness = new MigrationRunnerHarness();
        var source = new FakeCheckoutDriver("src", harness.Log);
        harness.Source.Checkouts = source;
        harness.Target.Checkouts = new FakeCheckoutDriver("dst", harness.Log);
        source.FailOn.Add("Retain");
        var id = await harness.SeedAsync();
        await using (var db = await harness.Db.CreateDbContextAsync())
        {
            await db.Migrations.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Purpose, CheckoutRules.Checkout));
        }

        var migration = await harness.RunAsync(id);

        var log = string.Join("\n", migration.Log.Select(l => l.Message));
        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error + "\n" + log);
        Assert.Equal(CheckoutRules.Checkout, migration.Purpose);
        Assert.NotNull(migration.Error);
        Assert.Contains("Moved, not checked out", migration.Error, StringComparison.Ordinal);
        Assert.Contains("Retain failed on src", migration.Error, StringComparison.Ordinal);
        Assert.Contains("Moved, not checked out", log, StringComparison.Ordinal);

        // The guest runs on the client as after a plain move: the machine is there, with no check-out.
        var machine = await harness.MachineAsync();
        Assert.Equal("dst", machine.NodeName);
        Assert.Equal(((string?)null, (string?)null, (DateTimeOffset?)null), (machine.CheckoutNode, machine.CheckoutRetainedOn, machine.CheckoutSince));

        // What the source may have kept goes, and its leftover is deleted as after a move; the target's copy stays.
        var steps = harness.Log.Steps.ToList();
        Assert.True(steps.IndexOf("src:checkouts.ReleaseRetained") > steps.IndexOf("src:checkouts.Retain"), string.Join("\n", steps));
        Assert.Contains("src:vm.Delete", steps);
        Assert.DoesNotContain("dst:vm.Delete", steps);
        Assert.DoesNotContain("src:CancelOutgoing", steps);

        // The API shows the purpose and the note.
        var info = MigrationViews.Info(migration);
        Assert.Equal((CheckoutRules.Checkout, MigrationStates.Succeeded), (info.Purpose, info.State));
        Assert.Equal(migration.Error, info.Error);
    }

    [Fact]
    public async Task Checkout_WhenRetained_SucceedsWithoutANote_AndShowsItsPurpose()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Source.Checkouts = new FakeCheckoutDriver("src", harness.Log);
        harness.Target.Checkouts = new FakeCheckoutDriver("dst", harness.Log);
        var id = await harness.SeedAsync();
        await using (var db = await harness.Db.CreateDbContextAsync())
        {
            await db.Migrations.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Purpose, CheckoutRules.Checkout));
        }

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error);
        Assert.Null(migration.Error);
        Assert.Equal("dst", (await harness.MachineAsync()).CheckoutNode);
        Assert.DoesNotContain("src:checkouts.ReleaseRetained", harness.Log.Steps);
        Assert.Equal(CheckoutRules.Checkout, MigrationViews.Info(migration).Purpose);
    }

    [Fact]
    public async Task Move_ShowsNoPurpose()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        Assert.Null(MigrationViews.Info(migration).Purpose);
    }
}
