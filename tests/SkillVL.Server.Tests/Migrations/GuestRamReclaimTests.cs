using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Server.Hosting;
using SkillVL.Server.Migrations;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>The guest's RAM reclaim before the RAM phase (ADR 0032): when the engine runs it, what it logs, and that it
/// never stops a move. What it does in a real guest is proven by <c>CheckoutBenchSmokeTests</c> (the check-in's RAM).</summary>
public sealed class GuestRamReclaimTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PlainMove_ReclaimOnMoves_RunsInTheGuestBeforeRam_AndLogsWhatItGot()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Options.Value.Migration.ReclaimGuestRamOnMoves = true;
        IReadOnlyList<string>? asked = null;
        harness.Source.GuestExec = command =>
        {
            asked = command;
            return new GuestExecResult(0, "reclaim 81920 1024 96\n", "", false);
        };
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error);
        var steps = harness.Log.Steps.ToList();
        Assert.Equal(steps.IndexOf("src:StartRamMigration") - 1, steps.IndexOf("src:vm.GuestExec"));
        Assert.Equal(["/bin/sh", "-c", GuestRamReclaim.Script], asked);
        Assert.Contains(migration.Log, l => l.Message.StartsWith("Reclaimed 79 MiB of guest page cache before the move and zeroed 96 MiB of its free RAM", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlainMove_ByDefault_DoesNotTouchTheGuest()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Source.GuestExec = _ => throw new InvalidOperationException("the guest was asked");
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error);
        Assert.DoesNotContain("src:vm.GuestExec", harness.Log.Steps);
        Assert.DoesNotContain(migration.Log, l => l.Message.StartsWith("Reclaim", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlainMove_GuestWithoutAgent_MovesAnyway_LogSaysSkipped()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Options.Value.Migration.ReclaimGuestRamOnMoves = true;
        harness.Source.GuestExec = _ => throw new GuestAgentUnavailableException("The guest agent did not answer.");
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error);
        Assert.Equal("dst", (await harness.MachineAsync()).NodeName);
        Assert.Contains(migration.Log, l => l.Message == "Reclaiming the guest's RAM was skipped (The guest agent did not answer.); the move goes on.");
    }

    [Fact]
    public async Task Run_TimedOut_RemovesTheFill_AndSaysSo()
    {
        var calls = new List<IReadOnlyList<string>>();
        var node = new FakeNode("src", null, new CallLog(), MigrationRunnerHarness.TemplateSha)
        {
            GuestExec = command =>
            {
                calls.Add(command);
                return calls.Count == 1 ? new GuestExecResult(137, "", "", false, TimedOut: true) : new GuestExecResult(0, "", "", false);
            },
        };

        var line = await GuestRamReclaim.RunAsync(node, "vm1", Timeout, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal("Reclaiming the guest's RAM did not end within 10 s; stopped, its fill removed; the move goes on.", line);
        Assert.Equal(2, calls.Count);
        Assert.Equal(["/bin/sh", "-c", GuestRamReclaim.Cleanup], calls[1]);
        Assert.Contains("umount " + GuestRamReclaim.FillDirectory, GuestRamReclaim.Cleanup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoShellInTheGuest_SaysWhy()
    {
        var node = new FakeNode("src", null, new CallLog(), MigrationRunnerHarness.TemplateSha)
        {
            GuestExec = _ => new GuestExecResult(127, "", "Failed to execute child process \"/bin/sh\"", false),
        };

        var line = await GuestRamReclaim.RunAsync(node, "vm1", Timeout, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal("Reclaiming the guest's RAM failed (exit 127: Failed to execute child process \"/bin/sh\"); the move goes on.", line);
    }

    [Theory]
    [InlineData("reclaim 10240 2048 100", 8, 100)]
    [InlineData("noise\nreclaim 2048 4096 0\n", 0, 0)]
    public void Parse_TheScriptsLine(string stdout, long cacheMiB, long zeroedMiB)
    {
        var outcome = GuestRamReclaim.Parse(stdout);

        Assert.NotNull(outcome);
        Assert.Equal(cacheMiB, outcome.ReclaimedCacheMiB);
        Assert.Equal(zeroedMiB, outcome.ZeroedMiB);
    }

    [Theory]
    [InlineData("")]
    [InlineData("reclaim 1 2")]
    [InlineData("reclaim a b c")]
    public void Parse_OtherOutput_IsNull(string stdout) => Assert.Null(GuestRamReclaim.Parse(stdout));

    [Theory]
    [InlineData(0)]
    [InlineData(121)]
    public void Options_TimeoutOutOfRange_IsInvalid(int seconds)
    {
        var options = new SkillVlServerOptions();
        options.Migration.ReclaimGuestRamTimeout = TimeSpan.FromSeconds(seconds);

        Assert.NotNull(options.Migration.Invalid());
    }

    [Fact]
    public void Options_Defaults_OnForCheckin_OffForMoves()
    {
        var options = new SkillVlServerOptions().Migration;

        Assert.True(options.ReclaimGuestRamOnCheckin);
        Assert.False(options.ReclaimGuestRamOnMoves);
        Assert.Null(options.Invalid());
    }
}
