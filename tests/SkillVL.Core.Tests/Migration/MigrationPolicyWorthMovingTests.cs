using SkillVL.Core.Migration;
using Xunit;
using static SkillVL.Core.Tests.Migration.MigrationSamples;

namespace SkillVL.Core.Tests.Migration;

public sealed class MigrationPolicyWorthMovingTests
{
    private static readonly NodeLoad BusyCloud = new(0.9, 64 * GiB);
    private static readonly NodeLoad IdleLaptop = new(0.1, 8 * GiB);

    /// <summary>A 2 GiB guest with 256 MiB on top of a base the laptop already has.</summary>
    private static VmMigrationProfile SmallOverlay(double dirtyMiB = 1) => Vm(dirtyMiB) with { OverlayBytes = 256 * MiB };

    private static MoveCriteria Within(double minutes, double? maxDowntimeMs = null) => new()
    {
        Limits = new MigrationLimits
        {
            MaxTotalTime = TimeSpan.FromMinutes(minutes),
            DowntimeLimit = TimeSpan.FromMilliseconds(Math.Min(maxDowntimeMs ?? 300, 300)),
            MaxDowntime = maxDowntimeMs is { } max ? TimeSpan.FromMilliseconds(max) : null,
        },
    };

    /// <summary>(situation, link, dirty MiB/s, source CPU, target CPU, target free GiB, minutes allowed, max downtime ms) → move?, reason.</summary>
    [Theory]
    [InlineData("good link, busy cloud, idle laptop", "dsl", 1, 0.9, 0.1, 8, 15, null, true,
        "worth it: relieves the source by 80 %; moves 2.7 GiB in about 8.1 min (limit 15 min), pausing the guest about 107.1 ms")]
    [InlineData("fast campus link", "campus", 1, 0.9, 0.1, 8, 15, null, true, "worth it: relieves the source by 80 %")]
    [InlineData("both nodes equally busy", "dsl", 1, 0.6, 0.5, 8, 15, null, false,
        "moving relieves too little: the source is 60 % busy, the target 50 %, less than 20 % apart")]
    [InlineData("laptop too small", "dsl", 1, 0.9, 0.1, 1, 15, null, false, "the target has 1 GiB free, the VM needs 2 GiB")]
    [InlineData("mobile link", "mobile", 1, 0.9, 0.1, 8, 15, null, false, "the link (10 Mbit/s) is slower than 20 Mbit/s")]
    [InlineData("busy guest on DSL", "dsl", 20, 0.9, 0.1, 8, 15, null, false,
        "the migration would not converge: the guest dirties memory at 20 MiB/s")]
    [InlineData("user wants it done in 5 min", "dsl", 1, 0.9, 0.1, 8, 5, null, false,
        "it would take about 8.1 min (2.7 GiB), longer than the 5 min limit")]
    [InlineData("user tolerates no pause", "dsl", 0, 0.9, 0.1, 8, 15, 10.0, false,
        "it would pause the guest about 45 ms, longer than the 10 ms allowed")]
    public void WorthMoving_Situation_Decides(
        string situation, string link, double dirtyMiB, double sourceCpu, double targetCpu, double targetFreeGiB, double minutes,
        double? maxDowntimeMs, bool move, string reason)
    {
        var verdict = MigrationPolicy.WorthMoving(
            Links[link], SmallOverlay(dirtyMiB), new NodeLoad(sourceCpu, 64 * GiB), new NodeLoad(targetCpu, (long)(targetFreeGiB * GiB)),
            Within(minutes, maxDowntimeMs), MigrationFeatures.Qemu72);

        Assert.True(move == verdict.Move, $"{situation}: {verdict.Reason}");
        Assert.True(verdict.Reason.StartsWith(reason, StringComparison.Ordinal), $"{situation}: the reason was \"{verdict.Reason}\"");
    }

    [Fact]
    public void WorthMoving_LongRoundTrip_DoesNotMove()
    {
        var satellite = new LinkMeasurement(DataRate.FromMegabitsPerSecond(100), TimeSpan.FromMilliseconds(600));

        var verdict = MigrationPolicy.WorthMoving(satellite, SmallOverlay(), BusyCloud, IdleLaptop, Within(15), MigrationFeatures.Qemu72);

        Assert.False(verdict.Move);
        Assert.Equal("the link's round trip (600 ms) is longer than 150 ms", verdict.Reason);
    }

    [Fact]
    public void WorthMoving_BaseNotCached_CostsTheBaseToo()
    {
        // 2 GiB more at 50 Mbit/s: about 6 min more than the 8 min of the overlay and RAM.
        var cached = MigrationPolicy.WorthMoving(Links["dsl"], SmallOverlay(), BusyCloud, IdleLaptop, Within(10), MigrationFeatures.Qemu72);
        var uncached = MigrationPolicy.WorthMoving(
            Links["dsl"], SmallOverlay() with { TargetHasBase = false }, BusyCloud, IdleLaptop, Within(10), MigrationFeatures.Qemu72);

        Assert.True(cached.Move);
        Assert.False(uncached.Move);
        Assert.Equal(2 * GiB, uncached.Parameters.Prediction.TotalBytes - cached.Parameters.Prediction.TotalBytes);
    }

    [Theory]
    [InlineData(1.5, 0L, "source.cpuUtilization: must be a fraction from 0 to 1 (got 1.5)")]
    [InlineData(0.5, -1L, "source.freeMemoryBytes: must not be negative (got -1)")]
    public void WorthMoving_NonsensicalLoad_ThrowsNamingTheField(double cpu, long free, string message)
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            MigrationPolicy.WorthMoving(Links["dsl"], SmallOverlay(), new NodeLoad(cpu, free), IdleLaptop, Within(15), MigrationFeatures.Qemu72));

        Assert.Equal(message, exception.Message);
    }
}
