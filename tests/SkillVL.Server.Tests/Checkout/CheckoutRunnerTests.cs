using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Compute;
using SkillVL.Server.Migrations;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>The runner's call order for a check-out and a check-in (ADR 0023) against fake node ends: "src" is where the
/// machine runs, "dst" where it goes.</summary>
public sealed class CheckoutRunnerTests
{
    [Fact]
    public async Task Checkout_TracksBeforeTheGuestResumes_RetainsInsteadOfDeleting_RecordsTheCheckout()
    {
        await using var harness = new MigrationRunnerHarness();
        var (source, target) = Give(harness);
        var id = await SeedAsync(harness, CheckoutRules.Checkout);

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error + "\n" + string.Join("\n", migration.Log.Select(l => l.Message)));
        var steps = harness.Log.Steps;
        Assert.Equal(["src:CompleteOutgoing", "dst:checkouts.StartTracking", "dst:CompleteIncoming"],
            steps.SkipWhile(s => s != "src:CompleteOutgoing").Take(3));
        Assert.Contains("src:checkouts.Retain", steps);
        Assert.True(steps.ToList().IndexOf("src:checkouts.Retain") > steps.ToList().IndexOf("dst:CompleteIncoming"));
        Assert.DoesNotContain("src:vm.Delete", steps);
        Assert.Equal(DiskTransfer.Overlay, harness.Target.Driver.Incoming!.Disk);

        var machine = await harness.MachineAsync();
        Assert.Equal(("dst", "dst", "src", 0L), (machine.NodeName, machine.CheckoutNode, machine.CheckoutRetainedOn, machine.CheckoutSyncedBytes));
        Assert.NotNull(machine.CheckoutSince);
        Assert.Null(machine.CheckoutLastSyncAt);
        Assert.Empty(source.FailOn);
        Assert.Empty(target.FailOn);
    }

    [Fact]
    public async Task Checkout_WhenTrackingCannotStart_GoesBackToTheSource_NoCheckout_NoRetainedCopy()
    {
        await using var harness = new MigrationRunnerHarness();
        var (_, target) = Give(harness);
        target.FailOn.Add("StartTracking");
        var id = await SeedAsync(harness, CheckoutRules.Checkout);

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("StartTracking failed", migration.Error, StringComparison.Ordinal);
        var steps = harness.Log.Steps;
        Assert.DoesNotContain("dst:CompleteIncoming", steps);
        Assert.DoesNotContain("src:checkouts.Retain", steps);
        Assert.Contains("src:CancelOutgoing", steps);
        Assert.Contains("dst:AbortIncoming", steps);
        var machine = await harness.MachineAsync();
        Assert.Equal(("src", (string?)null, (string?)null), (machine.NodeName, machine.CheckoutNode, machine.CheckoutRetainedOn));
    }

    [Fact]
    public async Task Checkout_ToANodeWithoutCheckoutCalls_FailsBeforeAnythingIsPrepared()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Source.Checkouts = new FakeCheckoutDriver("src", harness.Log);
        var id = await SeedAsync(harness, CheckoutRules.Checkout);

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("dst has none", migration.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("dst:PrepareIncoming", harness.Log.Steps);
        Assert.Null((await harness.MachineAsync()).CheckoutNode);
    }

    [Fact]
    public async Task Checkin_IsIncrementalOnBothEnds_DeletesTheClientsCopy_ClearsTheCheckout()
    {
        await using var harness = new MigrationRunnerHarness();
        Give(harness);
        var id = await SeedAsync(harness, CheckoutRules.Checkin);

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error + "\n" + string.Join("\n", migration.Log.Select(l => l.Message)));
        Assert.Equal(DiskTransfer.Incremental, harness.Target.Driver.Incoming!.Disk);
        Assert.Equal(DiskTransfer.Incremental, harness.Source.Driver.Outgoing!.Disk);
        var steps = harness.Log.Steps;
        Assert.Equal(["src:CompleteOutgoing", "dst:CompleteIncoming"], steps.SkipWhile(s => s != "src:CompleteOutgoing").Take(2));
        Assert.Contains("src:vm.Delete", steps);
        Assert.DoesNotContain(steps, s => s.Contains("checkouts.", StringComparison.Ordinal));
        var machine = await harness.MachineAsync();
        Assert.Equal(("dst", (string?)null, (string?)null, (DateTimeOffset?)null), (machine.NodeName, machine.CheckoutNode, machine.CheckoutRetainedOn, machine.CheckoutSince));
    }

    [Fact]
    public async Task Checkin_WhenItFails_KeepsTheCheckout()
    {
        await using var harness = new MigrationRunnerHarness();
        Give(harness);
        harness.Source.Driver.FailAtRamPoll = 0;
        var id = await SeedAsync(harness, CheckoutRules.Checkin);

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("dst:AbortIncoming", harness.Log.Steps);
        var machine = await harness.MachineAsync();
        Assert.Equal(("src", "src", "dst"), (machine.NodeName, machine.CheckoutNode, machine.CheckoutRetainedOn));
    }

    private static (FakeCheckoutDriver Source, FakeCheckoutDriver Target) Give(MigrationRunnerHarness harness)
    {
        var source = new FakeCheckoutDriver("src", harness.Log);
        var target = new FakeCheckoutDriver("dst", harness.Log);
        harness.Source.Checkouts = source;
        harness.Target.Checkouts = target;
        return (source, target);
    }

    /// <summary>The harness's pending migration made a check-out, or a check-in of a machine checked out to "src" from "dst".</summary>
    private static async Task<string> SeedAsync(MigrationRunnerHarness harness, string purpose)
    {
        var id = await harness.SeedAsync();
        await using var db = await harness.Db.CreateDbContextAsync();
        var incremental = purpose == CheckoutRules.Checkin;
        await db.Migrations.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Purpose, purpose)
            .SetProperty(m => m.DiskTransfer, incremental ? CheckoutRules.Incremental : "overlay"));
        if (incremental)
        {
            await db.Machines.Where(m => m.Id == MigrationRunnerHarness.MachineId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.CheckoutNode, "src")
                .SetProperty(m => m.CheckoutRetainedOn, "dst")
                .SetProperty(m => m.CheckoutSince, DateTimeOffset.UtcNow.AddHours(-1)));
        }

        return id;
    }
}
