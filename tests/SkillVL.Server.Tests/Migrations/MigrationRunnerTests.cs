using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Compute;
using SkillVL.Core.Migration;
using SkillVL.Server.Data;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>The migration engine against fake node ends: phase order, metrics, and every way it stops before the switch-over.</summary>
public sealed class MigrationRunnerTests
{
    private static readonly string[] Cleanup = ["src:CancelOutgoing", "dst:AbortIncoming"];

    [Fact]
    public async Task Run_HappyPath_PhasesInOrder_MachineMoves_MetricsStored()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error + "\n" + string.Join("\n", migration.Log.Select(l => l.Message)));
        Assert.Equal(MigrationPhases.Done, migration.Phase);
        Assert.Equal(
            ["dst:OpenLinkProbe", "src:ProbeLink", "dst:CloseLinkProbe", "src:Measure", "dst:PrepareIncoming", "src:StartDiskMirror", "src:StartRamMigration", "src:CompleteOutgoing", "dst:CompleteIncoming", "src:vm.Delete"],
            harness.Log.Steps);
        var machine = await harness.MachineAsync();
        Assert.Equal("dst", machine.NodeName);
        Assert.Equal(MachineStates.Running, machine.ObservedState);
        Assert.Equal(FakeMigrationDriver.Downtime.TotalMilliseconds, migration.DowntimeMs);
        Assert.Equal(FakeMigrationDriver.RamBytes, migration.RamBytes);
        Assert.Equal(FakeMigrationDriver.DiskBytes, migration.DiskBytes);
        Assert.Equal(0, migration.BaseBytes);
        Assert.True(migration.TotalTimeMs > 0);
        Assert.True(migration.AverageThroughputBitsPerSecond > 0);
        Assert.NotNull(migration.ParametersJson);
        Assert.Contains("\"reasons\"", migration.ParametersJson, StringComparison.Ordinal);
        Assert.Equal("measured", migration.LinkSource);

        // The log names the phases in order.
        var log = string.Join("\n", migration.Log.OrderBy(l => l.Id).Select(l => l.Message));
        Assert.Contains("Prepare: measured dirty rate 3 MiB/s (sampled 1 s), overlay 50331648 bytes (48 MiB) on src.", log, StringComparison.Ordinal);
        Assert.True(Order(log, "Prepare:", "Transfer disk", "live copy RAM", "switching over", $"runs on dst", "Succeeded"), log);

        // What the target was asked for: the VM as it runs (same MACs), the underlay address, TLS, the plan's parameters.
        var incoming = harness.Target.Driver.Incoming!;
        Assert.Equal("192.0.2.2", incoming.ListenAddress);
        Assert.Equal("52:54:00:c0:00:01", Assert.Single(incoming.Spec.Nics).MacAddress);
        Assert.True(incoming.Tls);
        Assert.Equal(DiskTransfer.Overlay, incoming.Disk);
        Assert.Equal("192.0.2.2", harness.Source.Driver.Outgoing!.Target.Host);

        // The room's network was made on the target with a tunnel to the source, before the target was prepared.
        var onTarget = Assert.Single(harness.Target.Ensured);
        Assert.Equal(["192.0.2.1"], onTarget.Overlay!.Peers);
        Assert.Equal(4242, onTarget.Overlay.Vni);
        Assert.Contains(harness.Source.Ensured, n => n.Overlay!.Peers.SequenceEqual(["192.0.2.2"]));
        Assert.False(harness.Active.IsMigrating(MigrationRunnerHarness.MachineId));
    }

    [Fact]
    public async Task SwitchOver_GuestAnswersOnTarget_MoveIsCommitted()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync(configuredBootId: "boot-1");

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error);
        Assert.Equal(["src:CompleteOutgoing", "dst:CompleteIncoming", "dst:vm.GuestPing", "src:vm.Delete"], harness.Log.Steps.TakeLast(4));
        Assert.Equal("dst", (await harness.MachineAsync()).NodeName);
        Assert.Contains(migration.Log, l => l.Message.StartsWith("Guest check: the guest's agent answered on dst", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SwitchOver_GuestSilentOnTarget_TargetCopyRemoved_GuestResumesOnSource_MachineStays()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync(configuredBootId: "boot-1");
        harness.Target.GuestAnswers = false;

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("did not answer its agent on dst", migration.Error, StringComparison.Ordinal);
        Assert.Contains("runs on src again", migration.Error, StringComparison.Ordinal);
        // The target's copy goes before the source resumes (never two copies of the guest on the room's network); the
        // source's copy is not deleted.
        Assert.Equal(["dst:CompleteIncoming", "dst:vm.GuestPing", "dst:vm.Delete", "src:CancelOutgoing"], harness.Log.Steps.SkipWhile(s => s != "dst:CompleteIncoming").Take(4));
        Assert.DoesNotContain("src:vm.Delete", harness.Log.Steps);
        var machine = await harness.MachineAsync();
        Assert.Equal("src", machine.NodeName);
        Assert.False(harness.Active.IsMigrating(MigrationRunnerHarness.MachineId));
    }

    public static TheoryData<string, string> CancelPoints => new()
    {
        { "prepare", "dst:PrepareIncoming" },
        { "transfer disk", "src:StartDiskMirror" },
        { "live copy RAM", "src:StartRamMigration" },
    };

    [Theory]
    [MemberData(nameof(CancelPoints))]
    public async Task Cancel_InEachPhase_CleansUpBothEnds_MachineStaysOnSource(string phase, string atCall)
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        var (node, call) = (atCall.Split(':')[0], atCall.Split(':')[1]);
        (node == "src" ? harness.Source : harness.Target).Driver.OnCall = c =>
        {
            if (c == call)
            {
                harness.Runner.Cancel(id);
            }
        };

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Cancelled, $"{phase}: {migration.State} {migration.Error}");
        AssertCleanedUp(harness, migration);
    }

    [Fact]
    public async Task TargetFailsInPrepare_FailsNamingTheTarget_CleansUp()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        harness.Target.Driver.FailOn.Add("PrepareIncoming");

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("Target node dst could not prepare", migration.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("src:StartDiskMirror", harness.Log.Calls);
        AssertCleanedUp(harness, migration);
    }

    [Fact]
    public async Task SourceReportsFailedMidRam_FailsWithQemusError_CleansUp()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        harness.Source.Driver.FailAtRamPoll = 1;

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("Connection reset by peer", migration.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("src:CompleteOutgoing", harness.Log.Calls);
        AssertCleanedUp(harness, migration);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NoByteMovesForTheStallTimeout_FailsAsABrokenLink_CleansUp(bool duringDisk)
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Options.Value.Migration.StallTimeout = TimeSpan.FromMilliseconds(300);
        var id = await harness.SeedAsync();
        if (duringDisk)
        {
            // The mirror never gets in sync and its byte count stands still: a cut link.
            harness.Source.Driver.MirrorPolls = int.MaxValue;
        }
        else
        {
            // RAM samples that repeat the same transferred bytes, far more polls than the stall timeout allows.
            harness.Source.Driver.RamSamples = [.. Enumerable.Repeat(FakeMigrationDriver.Sample(1, remaining: 200 << 20), 100_000)];
        }

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("No byte moved for 0.3 s", migration.Error, StringComparison.Ordinal);
        Assert.Equal(duringDisk ? MigrationPhases.TransferDisk : MigrationPhases.LiveCopyRam, migration.Phase);
        AssertCleanedUp(harness, migration);
    }

    [Fact]
    public async Task ThroughTheTunnel_BytesOnTheLinkStandStillWhileQemusCountGrows_FailsAsABrokenLink()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Options.Value.Migration.StallTimeout = TimeSpan.FromMilliseconds(300);
        var id = await harness.SeedAsync();
        // QEMU keeps counting what it writes into the tunnel's buffers; the tunnel's count of bytes on the link does not
        // move: the link is cut.
        harness.Source.Driver.RamSamples =
            [.. Enumerable.Range(1, 100_000).Select(i => FakeMigrationDriver.Sample(1, remaining: 200 << 20) with { TransferredBytes = i * 65536L })];
        harness.Source.Driver.TunnelBytes = 123_456;

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("No byte moved for 0.3 s (123456 bytes so far)", migration.Error, StringComparison.Ordinal);
        AssertCleanedUp(harness, migration);
    }

    [Fact]
    public async Task PolicyDecisions_AreCarriedOut_AndAbortCancels()
    {
        await using var harness = new MigrationRunnerHarness();
        // The guest measured idle on a LAN at the plan, so the policy throttles only a guest that outruns the link
        // (trigger 100 %). The first sample dirties 150 MiB/s at 100 MiB/s: lower the trigger (Throttle). The second,
        // with auto-converge already at its maximum and nothing else allowed: abort.
        var id = await harness.SeedAsync(new MigrationLimits());
        harness.Source.Driver.Measurement = new(DataRate.Zero, 0, TimeSpan.FromSeconds(1));
        harness.Source.Driver.ProbedLink = new(DataRate.FromGigabitsPerSecond(1), TimeSpan.FromMilliseconds(1));
        harness.Source.Driver.RamSamples =
        [
            FakeMigrationDriver.Sample(5, remaining: 200 << 20, dirtyMiB: 150),
            FakeMigrationDriver.Sample(6, remaining: 200 << 20, dirtyMiB: 150, throttle: 99),
        ];

        var migration = await harness.RunAsync(id);

        var decision = Assert.Single(harness.Source.Driver.Decisions);
        Assert.Equal(MigrationAction.Throttle, decision.Action);
        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("aborting", migration.Error, StringComparison.Ordinal);
        Assert.Contains("\"throttleTriggerPercent\":50", migration.ParametersJson, StringComparison.Ordinal);
        AssertCleanedUp(harness, migration);
    }

    [Fact]
    public async Task QemuDefaultsTuning_AppliesNoDecisions_AndPlansQemusDefaults()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync(tuning: "qemu-defaults");
        harness.Source.Driver.RamSamples = [FakeMigrationDriver.Sample(5, remaining: 200 << 20, dirtyMiB: 150)];

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        Assert.Empty(harness.Source.Driver.Decisions);
        var parameters = harness.Target.Driver.Incoming!.Parameters;
        Assert.Equal(DataRate.FromMebibytesPerSecond(128), parameters.MaxBandwidth);
        Assert.Equal((0, MigrationCompression.None, false, 0L), (parameters.MultifdChannels, parameters.Compression, parameters.AutoConverge, parameters.XbzrleCacheBytes));
    }

    [Fact]
    public async Task TargetCannotResume_GuestGoesBackToSource()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        harness.Target.Driver.FailOn.Add("CompleteIncoming");

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("could not resume", migration.Error, StringComparison.Ordinal);
        Assert.Contains("src:CompleteOutgoing", harness.Log.Calls);
        Assert.DoesNotContain("src:vm.Delete", harness.Log.Calls);
        AssertCleanedUp(harness, migration);
    }

    [Fact]
    public async Task CleanupStepFails_TheOtherIsStillAttempted_AndBothAreLogged()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        harness.Source.Driver.FailAtRamPoll = 0;
        harness.Source.Driver.FailOn.Add("CancelOutgoing");

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        AssertCleanedUp(harness, migration);
        var log = migration.Log.Select(l => l.Message).ToList();
        Assert.Contains(log, l => l.StartsWith("Cleanup: cancel on source src failed", StringComparison.Ordinal));
        Assert.Contains(log, l => l == "Cleanup: abort on target dst: done.");
    }

    [Fact]
    public async Task Reconciler_LeavesAMigratingMachineAlone_OnBothNodes()
    {
        await using var harness = new MigrationRunnerHarness();
        await harness.SeedAsync();
        // The machine's VM runs on the source with another spec hash (the reconciler would restart it), and a half-made
        // copy sits on the target (the reconciler would sweep it as an orphan).
        harness.Source.Observed.Add(new VmObservation(MigrationRunnerHarness.MachineId, VmPowerState.Paused, "other", DateTimeOffset.UtcNow, "b1", null));
        harness.Target.Observed.Add(new VmObservation(MigrationRunnerHarness.MachineId, VmPowerState.Paused, null, DateTimeOffset.UtcNow, "b2", null));
        var entry = new Server.Machines.ActiveMigrations.Entry("mig00001", MigrationRunnerHarness.MachineId, MigrationRunnerHarness.RoomId, "src", "dst", new CancellationTokenSource());
        harness.Active.TryAdd(entry);

        await harness.Reconciler.PassAsync(CancellationToken.None);
        await Task.Delay(300); // scheduled steps run on the thread pool; give any a chance to (wrongly) act

        Assert.DoesNotContain(harness.Log.Calls, c => c.Contains(":vm.", StringComparison.Ordinal));
        Assert.Contains(harness.Target.Ensured, n => n.Id == "n0000001"); // the room's network is kept on the target

        // The same pass without the migration: the target's copy is an orphan and goes, the source's VM is restarted.
        harness.Active.Remove(entry);
        await Task.Delay(50);
        await harness.Reconciler.PassAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!harness.Log.Calls.Contains("dst:vm.Delete") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Contains("dst:vm.Delete", harness.Log.Calls);
    }

    [Fact]
    public async Task Reconciler_AMoveCommittedAfterThePassReadItsRows_ItsVmAndNetworkOnTheNewNodeAreNoOrphans()
    {
        await using var harness = new MigrationRunnerHarness();
        await harness.SeedAsync();
        harness.Source.Observed.Add(new VmObservation(MigrationRunnerHarness.MachineId, VmPowerState.Running, null, DateTimeOffset.UtcNow, "b1", null));

        // The pass has read the rows (the machine on src); before it lists dst, a revive or a move commits: the VM now
        // runs on dst and the row says so. The pass's rows are stale; the database is not.
        harness.Target.OnList = async () =>
        {
            harness.Target.OnList = null;
            lock (harness.Target.Observed)
            {
                harness.Target.Observed.Add(new VmObservation(MigrationRunnerHarness.MachineId, VmPowerState.Running, null, DateTimeOffset.UtcNow, "b2", null));
            }

            lock (harness.Target.Ensured)
            {
                harness.Target.Ensured.Add(new Core.Networking.NetworkSpec("n0000001", 1450));
            }

            await using var db = await harness.Db.CreateDbContextAsync();
            await db.Machines.ExecuteUpdateAsync(s => s.SetProperty(m => m.NodeName, "dst"));
        };

        await harness.Reconciler.PassAsync(CancellationToken.None);
        await harness.Reconciler.WhenIdleAsync(TimeSpan.FromSeconds(10));

        Assert.True(harness.Target.OnList is null, "the pass did not list dst");
        Assert.DoesNotContain("dst:vm.Delete", harness.Log.Calls);
        Assert.DoesNotContain("dst:vm.DeleteNetwork", harness.Log.Calls); // its bridge stays under the running VM
    }

    [Fact]
    public async Task Reconciler_AMoveCommittedAfterThePassReadItsRows_TheMachineIsNotMadeAgainOnTheNodeItLeft()
    {
        await using var harness = new MigrationRunnerHarness();
        await harness.SeedAsync();

        // The pass has read the rows (the machine on src, running); before it lists src, the move commits: src no longer
        // has the VM, dst has it. A missing VM on src in the pass's stale view is not to be made again there.
        harness.Source.OnList = async () =>
        {
            harness.Source.OnList = null;
            await using var db = await harness.Db.CreateDbContextAsync();
            await db.Machines.ExecuteUpdateAsync(s => s.SetProperty(m => m.NodeName, "dst"));
        };

        await harness.Reconciler.PassAsync(CancellationToken.None);
        await harness.Reconciler.WhenIdleAsync(TimeSpan.FromSeconds(10));

        Assert.True(harness.Source.OnList is null, "the pass did not list src");
        Assert.DoesNotContain(harness.Log.Calls, c => c.StartsWith("src:vm.", StringComparison.Ordinal));
    }

    private static void AssertCleanedUp(MigrationRunnerHarness harness, MigrationEntity migration)
    {
        foreach (var step in Cleanup)
        {
            Assert.True(harness.Log.Calls.Contains(step), $"{step} was not called: {string.Join(", ", harness.Log.Calls)}");
        }

        var machine = harness.MachineAsync().GetAwaiter().GetResult();
        Assert.Equal("src", machine.NodeName);
        Assert.Equal(MachineStates.Running, machine.ObservedState);
        Assert.DoesNotContain("src:vm.Delete", harness.Log.Calls);
        Assert.False(harness.Active.IsMigrating(MigrationRunnerHarness.MachineId));
        Assert.NotNull(migration.FinishedAt);
    }

    private static bool Order(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            at = text.IndexOf(part, at, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }
        }

        return true;
    }
}
