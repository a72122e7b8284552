using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Compute;
using SkillVL.Server.Checkouts;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;
using SkillVL.Server.Machines;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>Revive and fencing on the Server (ADR 0025) against fake nodes: the machine is checked out to "src" (the
/// client, epoch 3), its retained copy is on "dst".</summary>
public sealed class ReviveServiceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly CurrentUser Owner = new("u1", "alice", "student", "test", []);

    [Fact]
    public async Task Revive_AfterTheLeaseRanOut_RevivesOnTheRetainedNode_RaisesTheEpoch_RecordsTheFence()
    {
        await using var harness = new MigrationRunnerHarness();
        await CheckedOutAsync(harness, leaseExpiresAt: DateTimeOffset.UtcNow.AddSeconds(-5));

        var result = await ReviveAsync(harness, lost: false);

        Assert.Null(result.Conflict);
        Assert.Null(result.Unavailable);
        Assert.Equal(["dst:checkouts.Revive"], harness.Log.Steps);
        var machine = await harness.MachineAsync();
        Assert.Equal(("dst", 4, (string?)null, (string?)null, MachineStates.Running), (machine.NodeName, machine.CheckoutEpoch, machine.CheckoutNode, machine.CheckoutRetainedOn, machine.DesiredState));
        Assert.Null(machine.CheckoutLeaseExpiresAt);
        await using var db = await harness.Db.CreateDbContextAsync();
        var fence = await db.FencedCopies.SingleAsync();
        Assert.Equal((MigrationRunnerHarness.MachineId, "src", 3, "alice", false, (DateTimeOffset?)null), (fence.MachineId, fence.Node, fence.Epoch, fence.RevivedBy, fence.Lost, fence.FencedAt));
    }

    [Fact]
    public async Task Revive_BeforeExpiry_WithoutLost_Is409NamingTheExpiry_AndChangesNothing()
    {
        await using var harness = new MigrationRunnerHarness();
        var expires = new DateTimeOffset(2099, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await CheckedOutAsync(harness, expires);

        var result = await ReviveAsync(harness, lost: false);

        Assert.Contains("valid until 2099-01-02 03:04:05Z", result.Conflict, StringComparison.Ordinal);
        Assert.Empty(harness.Log.Steps);
        var machine = await harness.MachineAsync();
        Assert.Equal(("src", "src", 3), (machine.NodeName, machine.CheckoutNode, machine.CheckoutEpoch));
        await using var db = await harness.Db.CreateDbContextAsync();
        Assert.Empty(await db.FencedCopies.ToListAsync());
    }

    [Fact]
    public async Task Revive_BeforeExpiry_WithLost_Revives()
    {
        await using var harness = new MigrationRunnerHarness();
        await CheckedOutAsync(harness, DateTimeOffset.UtcNow.AddDays(6));

        var result = await ReviveAsync(harness, lost: true);

        Assert.Null(result.Conflict);
        Assert.Equal("dst", (await harness.MachineAsync()).NodeName);
        await using var db = await harness.Db.CreateDbContextAsync();
        Assert.True((await db.FencedCopies.SingleAsync()).Lost);
    }

    [Fact]
    public async Task Revive_OfAMachineNotCheckedOut_Is409()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Target.Checkouts = new FakeCheckoutDriver("dst", harness.Log);
        await harness.SeedAsync();

        var result = await ReviveAsync(harness, lost: true);

        Assert.Contains("not checked out", result.Conflict, StringComparison.Ordinal);
        Assert.Empty(harness.Log.Steps);
    }

    [Fact]
    public async Task Revive_WhenTheRetainedNodeIsGone_Is503_AndChangesNothing()
    {
        await using var harness = new MigrationRunnerHarness();
        await CheckedOutAsync(harness, DateTimeOffset.UtcNow.AddSeconds(-5), retainedOn: "node9");

        var result = await ReviveAsync(harness, lost: false);

        Assert.Contains("node9", result.Unavailable, StringComparison.Ordinal);
        Assert.Equal(("src", "src"), ((await harness.MachineAsync()).NodeName, (await harness.MachineAsync()).CheckoutNode));
    }

    [Fact]
    public async Task Revive_WhenTheNodeStepFails_ChangesNothing()
    {
        await using var harness = new MigrationRunnerHarness();
        var (_, retained) = await CheckedOutAsync(harness, DateTimeOffset.UtcNow.AddSeconds(-5));
        retained.FailOn.Add("Revive");

        await Assert.ThrowsAsync<Core.Errors.DriverException>(() => ReviveAsync(harness, lost: false));

        var machine = await harness.MachineAsync();
        Assert.Equal(("src", "src", 3), (machine.NodeName, machine.CheckoutNode, machine.CheckoutEpoch));
    }

    [Fact]
    public async Task Revive_HoldsTheMachineLikeAMigration_FromTheNodeStepUntilTheRowsSayWhereItIs()
    {
        await using var harness = new MigrationRunnerHarness();
        var (_, retained) = await CheckedOutAsync(harness, DateTimeOffset.UtcNow.AddSeconds(-5));
        var heldDuringNodeStep = false;
        retained.OnRevive = () => heldDuringNodeStep = harness.Active.IsMigrating(MigrationRunnerHarness.MachineId);

        var result = await ReviveAsync(harness, lost: false);

        Assert.Null(result.Conflict);
        Assert.True(heldDuringNodeStep, "the reconciler could have swept the revived VM as an orphan");
        Assert.False(harness.Active.IsMigrating(MigrationRunnerHarness.MachineId));
    }

    [Fact]
    public async Task Reconcile_TheFencedClientReturns_ItsCopyIsFenced_NotDeleted()
    {
        await using var harness = new MigrationRunnerHarness();
        await CheckedOutAsync(harness, DateTimeOffset.UtcNow.AddSeconds(-5));
        await ReviveAsync(harness, lost: false);
        lock (harness.Source.Observed)
        {
            harness.Source.Observed.Add(new VmObservation(MigrationRunnerHarness.MachineId, VmPowerState.Paused, null, null, null, null));
        }

        FencedCopyEntity? fence = null;
        var deadline = DateTime.UtcNow + Bound;
        while (DateTime.UtcNow < deadline && fence?.FencedAt is null)
        {
            // A pass per look, as the loop runs them: a step that failed (the harness's one SQLite connection is shared
            // with these looks) is tried again by the next pass, as in the Server.
            await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(Bound);
            await Task.Delay(20);
            await using var db = await harness.Db.CreateDbContextAsync();
            fence = await db.FencedCopies.SingleAsync();
        }

        Assert.True(fence?.FencedAt is not null, string.Join(", ", harness.Log.Steps));
        Assert.Equal(($"/data/fenced/{MigrationRunnerHarness.MachineId}-e3.qcow2", (long?)(1L << 20)), (fence!.Path, fence.BytesSinceSync));
        Assert.Contains("src:checkouts.Fence", harness.Log.Steps);
        Assert.DoesNotContain("src:vm.Delete", harness.Log.Steps);
        await using var audit = await harness.Db.CreateDbContextAsync();
        var entry = await audit.Audit.SingleAsync(a => a.Action == "machine.fenced");
        Assert.Equal(("set-aside", (string?)null), (entry.Outcome, entry.Username));
        Assert.Contains($"src, check-out epoch 3: disk kept at /data/fenced/{MigrationRunnerHarness.MachineId}-e3.qcow2", entry.Detail, StringComparison.Ordinal);
    }

    private static async Task<ReviveService.Result> ReviveAsync(MigrationRunnerHarness harness, bool lost)
    {
        await using var db = await harness.Db.CreateDbContextAsync();
        var room = await db.Rooms.Include(r => r.Machines).SingleAsync();
        var gate = new StartupGate();
        gate.Open();
        var syncs = new CheckoutSyncService(harness.Db, harness.Nodes, harness.Active, gate, harness.Options, TimeProvider.System, NullLogger<CheckoutSyncService>.Instance);
        var service = new ReviveService(db, harness.Nodes, harness.Active, syncs, new ReconcileTrigger(), TimeProvider.System, NullLogger<ReviveService>.Instance);
        return await service.ReviveAsync(Owner, room, room.Machines.Single(), lost, CancellationToken.None).WaitAsync(Bound);
    }

    private static async Task<(FakeCheckoutDriver Client, FakeCheckoutDriver Retained)> CheckedOutAsync(
        MigrationRunnerHarness harness, DateTimeOffset? leaseExpiresAt, string retainedOn = "dst")
    {
        var client = new FakeCheckoutDriver("src", harness.Log);
        var retained = new FakeCheckoutDriver("dst", harness.Log);
        harness.Source.Checkouts = client;
        harness.Target.Checkouts = retained;
        await harness.SeedAsync();
        await using var db = await harness.Db.CreateDbContextAsync();
        await db.Migrations.ExecuteDeleteAsync();
        await db.Machines.Where(m => m.Id == MigrationRunnerHarness.MachineId).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.CheckoutNode, "src")
            .SetProperty(m => m.CheckoutRetainedOn, retainedOn)
            .SetProperty(m => m.CheckoutSince, DateTimeOffset.UtcNow.AddHours(-1))
            .SetProperty(m => m.CheckoutEpoch, 3)
            .SetProperty(m => m.CheckoutLeaseExpiresAt, leaseExpiresAt));
        return (client, retained);
    }
}
