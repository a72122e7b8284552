using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Migration;
using SkillVL.Server.Checkouts;
using SkillVL.Server.Hosting;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>The background sync (ADR 0023) against fake nodes: the machine is checked out to "src" (the client), its
/// retained copy is on "dst".</summary>
public sealed class CheckoutSyncServiceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SyncNow_ExportsOnTheRetainedNode_ClientSyncsAtTheRate_ExportClosed_RecordsTheSync()
    {
        await using var harness = new MigrationRunnerHarness();
        var (client, retained) = await CheckedOutAsync(harness);
        harness.Options.Value.Checkout.SyncRate = "20Mbit";
        var service = Service(harness);

        var result = await service.SyncNowAsync(MigrationRunnerHarness.MachineId, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(8L << 20, result.BytesCopied);
        Assert.Equal(["dst:checkouts.ExportRetained", "src:checkouts.Sync", "dst:checkouts.CloseRetainedExport", "src:checkouts.GetTracking"], harness.Log.Steps);
        Assert.Equal(DataRate.FromMegabitsPerSecond(20), client.SyncSpeed);
        var machine = await harness.MachineAsync();
        Assert.NotNull(machine.CheckoutLastSyncAt);
        Assert.Equal((8L << 20, (long?)(64L << 10)), (machine.CheckoutSyncedBytes, machine.CheckoutUnsyncedBytes));
        Assert.Empty(retained.FailOn);
    }

    [Fact]
    public async Task SyncNow_WhenTheClientsCopyFails_ClosesTheExport_RecordsNoSync()
    {
        await using var harness = new MigrationRunnerHarness();
        var (client, _) = await CheckedOutAsync(harness);
        client.FailOn.Add("Sync");
        var service = Service(harness);

        await Assert.ThrowsAsync<Core.Errors.DriverException>(() => service.SyncNowAsync(MigrationRunnerHarness.MachineId, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(["dst:checkouts.ExportRetained", "src:checkouts.Sync", "dst:checkouts.CloseRetainedExport"], harness.Log.Steps);
        var machine = await harness.MachineAsync();
        Assert.Null(machine.CheckoutLastSyncAt);
        Assert.Equal(0, machine.CheckoutSyncedBytes);
    }

    [Fact]
    public async Task SyncNow_WhileTheMachineMigrates_CallsNoNode()
    {
        await using var harness = new MigrationRunnerHarness();
        await CheckedOutAsync(harness);
        using var cancel = new CancellationTokenSource();
        var entry = new Server.Machines.ActiveMigrations.Entry("mig9", MigrationRunnerHarness.MachineId, MigrationRunnerHarness.RoomId, "src", "dst", cancel);
        Assert.True(harness.Active.TryAdd(entry));
        var service = Service(harness);

        var e = await Assert.ThrowsAsync<Core.Errors.DriverException>(() => service.SyncNowAsync(MigrationRunnerHarness.MachineId, CancellationToken.None).WaitAsync(Bound));

        Assert.Contains("migrating", e.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Log.Steps);
    }

    [Fact]
    public async Task SyncNow_OfAMachineNotCheckedOut_CallsNoNode()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Source.Checkouts = new FakeCheckoutDriver("src", harness.Log);
        harness.Target.Checkouts = new FakeCheckoutDriver("dst", harness.Log);
        await harness.SeedAsync();
        var service = Service(harness);

        var e = await Assert.ThrowsAsync<Core.Errors.DriverException>(() => service.SyncNowAsync(MigrationRunnerHarness.MachineId, CancellationToken.None).WaitAsync(Bound));

        Assert.Contains("not checked out", e.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Log.Steps);
    }

    [Theory]
    [InlineData("00:05:00", "20Mbit", null)]
    [InlineData("00:05:00", "0", null)]
    [InlineData("00:00:01", "20Mbit", "SyncInterval")]
    [InlineData("2.00:00:00", "20Mbit", "SyncInterval")]
    [InlineData("00:05:00", "fast", "SyncRate")]
    [InlineData("00:05:00", "0Mbit", "SyncRate")]
    public void Options_AreValidated(string interval, string rate, string? invalid)
    {
        var options = new CheckoutOptions { SyncInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture), SyncRate = rate };

        Assert.Equal(invalid, options.Invalid());
    }

    [Fact]
    public void Options_Defaults_FiveMinutes_TwentyMegabits()
    {
        var options = new CheckoutOptions();

        Assert.Equal((TimeSpan.FromMinutes(5), DataRate.FromMegabitsPerSecond(20)), (options.SyncInterval, options.Rate));
        Assert.Null(options.Invalid());
    }

    private static CheckoutSyncService Service(MigrationRunnerHarness harness)
    {
        var gate = new StartupGate();
        gate.Open();
        return new CheckoutSyncService(harness.Db, harness.Nodes, harness.Active, gate, harness.Options, TimeProvider.System, NullLogger<CheckoutSyncService>.Instance);
    }

    private static async Task<(FakeCheckoutDriver Client, FakeCheckoutDriver Retained)> CheckedOutAsync(MigrationRunnerHarness harness)
    {
        var client = new FakeCheckoutDriver("src", harness.Log);
        var retained = new FakeCheckoutDriver("dst", harness.Log);
        harness.Source.Checkouts = client;
        harness.Target.Checkouts = retained;
        await harness.SeedAsync();
        await using var db = await harness.Db.CreateDbContextAsync();
        await db.Machines.Where(m => m.Id == MigrationRunnerHarness.MachineId).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.CheckoutNode, "src")
            .SetProperty(m => m.CheckoutRetainedOn, "dst")
            .SetProperty(m => m.CheckoutSince, DateTimeOffset.UtcNow));
        return (client, retained);
    }
}
