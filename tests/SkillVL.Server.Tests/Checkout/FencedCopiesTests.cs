using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Compute;
using SkillVL.Server.Checkouts;
using SkillVL.Server.Data;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>
/// The end of a fenced copy (ADR 0025) against fake nodes: discarded by a user (deleted on its client, which must be
/// reachable, or forgotten when the client has not been back), and discarded by the reconciler when its machine is gone.
/// "src" is the client holding the copy of epoch 3.
/// </summary>
public sealed class FencedCopiesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Discard_ASetAsideCopy_DeletesItOnTheClient_AndTheRecord()
    {
        await using var harness = new MigrationRunnerHarness();
        var client = await FencedAsync(harness, setAside: true);

        var result = await DiscardAsync(harness, epoch: 3);

        Assert.Equal(new FencedCopies.Result(), result);
        Assert.Equal(["src:checkouts.DiscardFenced"], harness.Log.Steps);
        Assert.Empty(client.Fenced);
        Assert.Equal(0, await CountAsync(harness));
    }

    [Fact]
    public async Task Discard_ACopyTheClientHasNotBeenBackWith_ForgetsIt_WithoutCallingTheClient()
    {
        await using var harness = new MigrationRunnerHarness();
        await FencedAsync(harness, setAside: false);

        var result = await DiscardAsync(harness, epoch: 3);

        Assert.Equal(new FencedCopies.Result(), result);
        Assert.Empty(harness.Log.Steps);
        Assert.Equal(0, await CountAsync(harness));
    }

    [Fact]
    public async Task Discard_WhenTheClientIsUnreachable_Is503NamingIt_AndKeepsTheRecord()
    {
        await using var harness = new MigrationRunnerHarness();
        await FencedAsync(harness, setAside: true, node: "laptop9");

        var result = await DiscardAsync(harness, epoch: 3);

        Assert.Contains("node laptop9", result.Unavailable, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(harness));
    }

    [Fact]
    public async Task Discard_OfAnEpochWithoutAFencedCopy_IsNotFound()
    {
        await using var harness = new MigrationRunnerHarness();
        await FencedAsync(harness, setAside: true);

        var result = await DiscardAsync(harness, epoch: 2);

        Assert.Equal("Fenced copy of 'lab/vm' from check-out epoch 2", result.NotFound);
        Assert.Equal(1, await CountAsync(harness));
    }

    [Fact]
    public async Task Reconcile_AfterTheMachinesRoomWasDeleted_DiscardsItsFencedCopies_AndSweepsTheUnreturnedOne()
    {
        await using var harness = new MigrationRunnerHarness();
        var client = await FencedAsync(harness, setAside: true);
        await using (var db = await harness.Db.CreateDbContextAsync())
        {
            // A second, older copy the client still runs (not set aside yet), then the room goes.
            db.FencedCopies.Add(new FencedCopyEntity { MachineId = MigrationRunnerHarness.MachineId, Node = "src", Epoch = 2, RevivedBy = "alice", RevivedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            await db.Rooms.ExecuteUpdateAsync(s => s.SetProperty(r => r.DeletionRequested, true));
        }

        lock (harness.Source.Observed)
        {
            harness.Source.Observed.Add(new VmObservation(MigrationRunnerHarness.MachineId, VmPowerState.Paused, null, null, null, null));
        }

        var deadline = DateTime.UtcNow + Bound;
        while (DateTime.UtcNow < deadline && (await CountAsync(harness) > 0 || !harness.Log.Steps.Contains("src:vm.Delete")))
        {
            await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(Bound);
            await Task.Delay(20);
        }

        Assert.Equal(0, await CountAsync(harness));
        Assert.Empty(client.Fenced);
        Assert.Contains("src:checkouts.DiscardFenced", harness.Log.Steps);
        Assert.DoesNotContain("src:checkouts.Fence", harness.Log.Steps);
        Assert.Contains("src:vm.Delete", harness.Log.Steps);
        await using var audit = await harness.Db.CreateDbContextAsync();
        var entries = await audit.Audit.Where(a => a.Action == "machine.fenced.discarded").OrderBy(a => a.Outcome).ToListAsync();
        Assert.Equal(["deleted", "forgotten"], entries.Select(a => a.Outcome));
        Assert.All(entries, a => Assert.Contains("its machine was deleted", a.Detail, StringComparison.Ordinal));
    }

    /// <summary>The machine runs on "dst" (revived), its copy of epoch 3 fenced on <paramref name="node"/>.</summary>
    private static async Task<FakeCheckoutDriver> FencedAsync(MigrationRunnerHarness harness, bool setAside, string node = "src")
    {
        var client = new FakeCheckoutDriver("src", harness.Log);
        harness.Source.Checkouts = client;
        harness.Target.Checkouts = new FakeCheckoutDriver("dst", harness.Log);
        await harness.SeedAsync();
        await using var db = await harness.Db.CreateDbContextAsync();
        await db.Migrations.ExecuteDeleteAsync();
        await db.Machines.ExecuteUpdateAsync(s => s.SetProperty(m => m.NodeName, "dst").SetProperty(m => m.CheckoutEpoch, 4));
        db.FencedCopies.Add(new FencedCopyEntity
        {
            MachineId = MigrationRunnerHarness.MachineId, Node = node, Epoch = 3, RevivedBy = "alice", RevivedAt = DateTimeOffset.UtcNow,
            FencedAt = setAside ? DateTimeOffset.UtcNow : null, Path = setAside ? "/data/fenced/x-e3.qcow2" : null,
        });
        await db.SaveChangesAsync();
        if (setAside)
        {
            client.Fenced.Add((MigrationRunnerHarness.MachineId, 3));
        }

        return client;
    }

    private static async Task<FencedCopies.Result> DiscardAsync(MigrationRunnerHarness harness, int epoch)
    {
        await using var db = await harness.Db.CreateDbContextAsync();
        return await FencedCopies.DiscardAsync(db, harness.Nodes, "lab/vm", MigrationRunnerHarness.MachineId, epoch, "alice", NullLogger.Instance, CancellationToken.None)
            .WaitAsync(Bound);
    }

    private static async Task<int> CountAsync(MigrationRunnerHarness harness)
    {
        await using var db = await harness.Db.CreateDbContextAsync();
        return await db.FencedCopies.CountAsync();
    }
}
