using SkillVL.Core.Migration;
using Xunit;
using static SkillVL.Core.Tests.Migration.MigrationSamples;

namespace SkillVL.Core.Tests.Migration;

public sealed class MigrationPolicyDecideTests
{
    // DSL plan: 2 zstd channels, auto-converge armed with the 100 % trigger, post-copy not armed.
    private static readonly MigrationParameters DslPlan =
        MigrationPolicy.Plan(Links["dsl"], Vm(), new MigrationLimits(), MigrationFeatures.Qemu72);

    /// <summary>Third pass of a 2 GiB guest: 100 MiB left, 6 MiB/s crossing, 1 MiB/s dirtied, 5 min in.</summary>
    private static MigrationProgress Progress(
        int iteration = 3, double remainingMiB = 100, double transferredGiB = 2.5, double rateMiB = 6, double dirtyMiB = 1,
        double elapsedMinutes = 5, int throttle = 0, bool postCopyActive = false) => new()
        {
            Iteration = iteration,
            MemoryBytes = 2 * GiB,
            RemainingBytes = (long)(remainingMiB * MiB),
            TransferredBytes = (long)(transferredGiB * GiB),
            TransferRate = DataRate.FromMebibytesPerSecond(rateMiB),
            DirtyRate = DataRate.FromMebibytesPerSecond(dirtyMiB),
            Elapsed = TimeSpan.FromMinutes(elapsedMinutes),
            ThrottlePercent = throttle,
            PostCopyActive = postCopyActive,
        };

    public static TheoryData<string, MigrationParameters, MigrationLimits, MigrationProgress, MigrationAction, string> Branches => new()
    {
        {
            "post-copy already running", DslPlan, new MigrationLimits(), Progress(postCopyActive: true),
            MigrationAction.Continue, "post-copy is running"
        },
        {
            "ran into the total time limit", DslPlan, new MigrationLimits { MaxTotalTime = TimeSpan.FromMinutes(5) }, Progress(),
            MigrationAction.Abort, "the migration has run 5 min, reaching the 5 min limit with 100 MiB of RAM left; aborting, the VM keeps running on the source"
        },
        {
            "first pass", DslPlan, new MigrationLimits(), Progress(iteration: 1, transferredGiB: 1),
            MigrationAction.Continue, "first pass: it sends all of RAM (1 GiB of 2 GiB so far)"
        },
        {
            "no rate yet", DslPlan, new MigrationLimits(), Progress(rateMiB: 0),
            MigrationAction.Continue, "no transfer rate measured"
        },
        {
            "rest fits the limit", DslPlan, new MigrationLimits(), Progress(remainingMiB: 1),
            MigrationAction.Continue, "what is left (1 MiB, about 166.7 ms) fits in the 300 ms downtime limit: QEMU switches over at the next pass"
        },
        {
            "converging in time", DslPlan, new MigrationLimits { MaxTotalTime = TimeSpan.FromMinutes(10) }, Progress(),
            MigrationAction.Continue, "converging: the guest dirties 1 MiB/s while 6 MiB/s cross (λ = 0.17); about 19.94 s left"
        },
        {
            "not converging, a bounded pause finishes it", DslPlan, new MigrationLimits { MaxDowntime = TimeSpan.FromSeconds(2) },
            Progress(remainingMiB: 6, dirtyMiB: 8),
            MigrationAction.RaiseDowntimeLimit, "not converging: the guest dirties 8 MiB/s while 6 MiB/s cross (λ = 1.33); a pause of about 1 s finishes it now, within the user's 2 s: raising downtime-limit from 300 ms to 1.25 s"
        },
        {
            "not converging, QEMU has not throttled", DslPlan, new MigrationLimits { MaxDowntime = TimeSpan.FromSeconds(2) },
            Progress(iteration: 5, dirtyMiB: 8),
            MigrationAction.Throttle, "; lowering throttle-trigger-threshold from 100 % to 50 % so auto-converge slows the guest's vCPUs"
        },
        {
            "too slow, guest below the 100 % trigger", DslPlan, new MigrationLimits { MaxTotalTime = TimeSpan.FromMinutes(6) },
            Progress(remainingMiB: 1024, dirtyMiB: 5),
            MigrationAction.Throttle, "too slow: the guest dirties 5 MiB/s while 6 MiB/s cross (λ = 0.83), so about 17 min are left after 5 min, past the 6 min limit; lowering throttle-trigger-threshold"
        },
        {
            "not converging, QEMU about to throttle on its own", DslPlan, new MigrationLimits(), Progress(dirtyMiB: 8),
            MigrationAction.Continue, "the guest dirties more than the 100 % trigger, so auto-converge starts throttling within 2 passes"
        },
        {
            "throttle rising", DslPlan, new MigrationLimits(), Progress(dirtyMiB: 8, throttle: 40),
            MigrationAction.Continue, "auto-converge throttles the vCPUs at 40 % and adds 10 points every second pass over the trigger, up to 99 %: waiting for it"
        },
        {
            "QEMU about to throttle", DslPlan with { ThrottleTriggerPercent = 50 }, new MigrationLimits(), Progress(iteration: 2, dirtyMiB: 8),
            MigrationAction.Continue, "the guest dirties more than the 50 % trigger, so auto-converge starts throttling within 2 passes: waiting for it"
        },
        {
            "throttle exhausted, post-copy armed", DslPlan with { PostCopy = true }, new MigrationLimits { AllowPostCopy = true },
            Progress(dirtyMiB: 8, throttle: 99),
            MigrationAction.SwitchToPostCopy, "switching to post-copy, which sends the 100 MiB left once (about 16.67 s)"
        },
        {
            "throttle never started, post-copy armed", DslPlan with { PostCopy = true, ThrottleTriggerPercent = 50 }, new MigrationLimits { AllowPostCopy = true },
            Progress(iteration: 5, dirtyMiB: 8),
            MigrationAction.SwitchToPostCopy, "not converging: the guest dirties 8 MiB/s while 6 MiB/s cross (λ = 1.33); switching to post-copy"
        },
        {
            "post-copy would not finish in time", DslPlan with { PostCopy = true },
            new MigrationLimits { AllowPostCopy = true, MaxTotalTime = TimeSpan.FromMinutes(6) },
            Progress(remainingMiB: 1024, dirtyMiB: 8, throttle: 99),
            MigrationAction.Abort, "; even post-copy would need about 2.8 min for the 1 GiB left, past the 6 min limit; aborting, the VM keeps running on the source"
        },
        {
            "not converging, post-copy not allowed", DslPlan, new MigrationLimits(), Progress(dirtyMiB: 8, throttle: 99),
            MigrationAction.Abort, "not converging: the guest dirties 8 MiB/s while 6 MiB/s cross (λ = 1.33); the downtime limit may not be raised (no maxDowntime), auto-converge already throttles at 99 %, post-copy is not allowed; aborting, the VM keeps running on the source"
        },
        {
            "ETA past the limit, nothing helps", DslPlan, new MigrationLimits { MaxTotalTime = TimeSpan.FromMinutes(8), MaxDowntime = TimeSpan.FromSeconds(1) },
            Progress(remainingMiB: 1024),
            MigrationAction.Abort, "too slow: the guest dirties 1 MiB/s while 6 MiB/s cross (λ = 0.17), so about 3.4 min are left after 5 min, past the 8 min limit; a pause of about 2.8 min would exceed the user's 1 s, the guest dirties too little for auto-converge to throttle it, post-copy is not allowed"
        },
        {
            "too many passes", DslPlan with { AutoConverge = false }, new MigrationLimits { AllowPostCopy = true }, Progress(iteration: 31, dirtyMiB: 5),
            MigrationAction.Abort, "not converging: 31 passes and still 100 MiB left (the guest dirties 5 MiB/s while 6 MiB/s cross (λ = 0.83)); the downtime limit may not be raised (no maxDowntime), throttling is off, post-copy was not armed"
        },
        {
            "three times RAM sent", DslPlan with { AutoConverge = false }, new MigrationLimits(), Progress(transferredGiB: 6, dirtyMiB: 5),
            MigrationAction.Abort, "not converging: 6 GiB sent, 3× the guest's RAM, and still 100 MiB left"
        },
    };

    [Theory]
    [MemberData(nameof(Branches))]
    public void Decide_Observation_GivesAction(
        string situation, MigrationParameters current, MigrationLimits limits, MigrationProgress progress, MigrationAction action, string reason)
    {
        var decision = MigrationPolicy.Decide(current, limits, progress);

        Assert.True(action == decision.Action, $"{situation}: expected {action}, got {decision.Action}: {decision.Reason}");
        Assert.True(decision.Reason.Contains(reason, StringComparison.Ordinal), $"{situation}: the reason was \"{decision.Reason}\"");
        Assert.Equal(action == MigrationAction.SwitchToPostCopy, decision.Risk is not null);
        Assert.Equal(action == MigrationAction.RaiseDowntimeLimit, decision.DowntimeLimit is not null);
    }

    [Theory]
    [InlineData(2000, 1250)]
    [InlineData(1100, 1100)]
    public void Decide_RaisedDowntime_HasHeadroomButNeverExceedsTheUsersMaximum(double maxDowntimeMs, double expectedMs)
    {
        var limits = new MigrationLimits { MaxDowntime = TimeSpan.FromMilliseconds(maxDowntimeMs) };
        var progress = Progress(remainingMiB: 6, dirtyMiB: 8) with { ExpectedDowntime = TimeSpan.FromSeconds(1) };

        var decision = MigrationPolicy.Decide(DslPlan, limits, progress);

        Assert.Equal(MigrationAction.RaiseDowntimeLimit, decision.Action);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), decision.DowntimeLimit);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), decision.ApplyTo(DslPlan).DowntimeLimit);
    }

    [Fact]
    public void Decide_RaisedLimitApplied_ContinuesUntilQemuSwitchesOver()
    {
        var limits = new MigrationLimits { MaxDowntime = TimeSpan.FromSeconds(2) };
        var progress = Progress(remainingMiB: 6, dirtyMiB: 8);
        var raised = MigrationPolicy.Decide(DslPlan, limits, progress).ApplyTo(DslPlan);

        var next = MigrationPolicy.Decide(raised, limits, progress);

        Assert.Equal(MigrationAction.Continue, next.Action);
        Assert.Contains("fits in the 1.25 s downtime limit", next.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ThrottleApplied_LowersTheTriggerOnce()
    {
        var limits = new MigrationLimits();
        var throttled = MigrationPolicy.Decide(DslPlan, limits, Progress(iteration: 5, dirtyMiB: 8)).ApplyTo(DslPlan);

        Assert.Equal(MigrationPolicy.ThrottleTriggerPercentDefault, throttled.ThrottleTriggerPercent);
        Assert.NotEqual(MigrationAction.Throttle, MigrationPolicy.Decide(throttled, limits, Progress(iteration: 7, dirtyMiB: 8)).Action);
    }

    /// <summary>
    /// The bench's busy guest (100 Mbit/s, the guest dirtying 20 MiB/s, maxDowntime 2 s): QEMU reported 33.6 MiB/s dirtied
    /// against 23.8 MiB/s sent with about 2.09 s of RAM left. The policy lowered the trigger and aborted at the next pass,
    /// before QEMU could count its two periods over the new trigger. Now it waits for them, then gives up.
    /// </summary>
    [Fact]
    public void Decide_BusyGuestAfterLoweringTheTrigger_WaitsTwoPassesForQemuToThrottle()
    {
        var limits = new MigrationLimits { MaxDowntime = TimeSpan.FromSeconds(2) };
        MigrationProgress Sample(int pass, int throttle = 0) =>
            Progress(iteration: pass, remainingMiB: 49.7, transferredGiB: 0.5, rateMiB: 23.8, dirtyMiB: 33.6, elapsedMinutes: 0.8, throttle: throttle);

        var lowered = MigrationPolicy.Decide(DslPlan, limits, Sample(5));
        Assert.Equal(MigrationAction.Throttle, lowered.Action);
        var current = lowered.ApplyTo(DslPlan);
        Assert.Equal(5, current.ThrottleTriggerLoweredAtPass);

        var next = MigrationPolicy.Decide(current, limits, Sample(6));
        Assert.Equal(MigrationAction.Continue, next.Action);
        Assert.Contains("a pause of about 2.09 s", MigrationPolicy.Decide(current, limits, Sample(7)).Reason, StringComparison.Ordinal);
        Assert.Contains("starts throttling within 2 passes of pass 5, when the trigger was lowered: waiting for it", next.Reason, StringComparison.Ordinal);
        Assert.Equal(MigrationAction.Continue, MigrationPolicy.Decide(current, limits, Sample(7, throttle: 20)).Action);
        var gaveUp = MigrationPolicy.Decide(current, limits, Sample(7));
        Assert.Equal(MigrationAction.Abort, gaveUp.Action);
        Assert.Contains("auto-converge has not started throttling", gaveUp.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SwitchToPostCopy_StatesTheRiskOfLosingTheVm()
    {
        var decision = MigrationPolicy.Decide(
            DslPlan with { PostCopy = true }, new MigrationLimits { AllowPostCopy = true }, Progress(dirtyMiB: 8, throttle: 99));

        Assert.Contains("the VM is lost", decision.Risk, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_PostCopyArmedButNotAllowed_NeverSwitches()
    {
        var decision = MigrationPolicy.Decide(DslPlan with { PostCopy = true }, new MigrationLimits(), Progress(dirtyMiB: 8, throttle: 99));

        Assert.Equal(MigrationAction.Abort, decision.Action);
    }

    [Fact]
    public void Decide_NonsensicalLimits_ThrowsNamingTheField()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            MigrationPolicy.Decide(DslPlan, new MigrationLimits { DowntimeLimit = TimeSpan.FromMilliseconds(0.5) }, Progress()));

        Assert.StartsWith("downtimeLimit: must be at least 1 ms (got 0.5 ms)", exception.Message, StringComparison.Ordinal);
    }
}
