using SkillVL.Core.Migration;
using Xunit;
using static SkillVL.Core.Tests.Migration.MigrationSamples;

namespace SkillVL.Core.Tests.Migration;

public sealed class MigrationPolicyPlanTests
{
    /// <summary>
    /// The 2 GiB sample VM over each link class (MigrationSamples.Links) at a dirty rate, with or without the user
    /// allowing post-copy, on Debian 12's QEMU 7.2 → the parameters the policy picks.
    /// </summary>
    [Theory]
    // link      MiB/s  postcopy  channels  compression  level  xbzrle MiB  postCopy  trigger
    [InlineData("lan", 1, false, 0, MigrationCompression.None, 0, 0, false, 100)]
    [InlineData("lan", 200, false, 0, MigrationCompression.None, 0, 512, false, 100)]
    [InlineData("lan", 1, true, 0, MigrationCompression.None, 0, 0, true, 100)]
    [InlineData("lan25", 1, false, 2, MigrationCompression.None, 0, 0, false, 100)]
    [InlineData("lan25", 1, true, 0, MigrationCompression.None, 0, 0, true, 100)]
    [InlineData("campus", 1, false, 0, MigrationCompression.None, 0, 0, false, 100)]
    [InlineData("campus", 20, false, 0, MigrationCompression.None, 0, 512, false, 100)]
    [InlineData("campus", 1, true, 0, MigrationCompression.None, 0, 0, true, 100)]
    [InlineData("wan", 1, true, 2, MigrationCompression.Zstd, 1, 0, false, 100)]
    [InlineData("wan", 20, false, 2, MigrationCompression.Zstd, 1, 0, false, 50)]
    [InlineData("dsl", 1, false, 2, MigrationCompression.Zstd, 3, 0, false, 100)]
    [InlineData("dsl", 5, false, 2, MigrationCompression.Zstd, 3, 0, false, 50)]
    [InlineData("mobile", 1, true, 6, MigrationCompression.Zstd, 3, 0, false, 50)]
    public void Plan_LinkClassAndDirtyRate_PicksParameters(
        string link, double dirtyMiB, bool allowPostCopy, int channels, MigrationCompression compression, int level,
        long xbzrleMiB, bool postCopy, int trigger)
    {
        var limits = new MigrationLimits { AllowPostCopy = allowPostCopy };

        var plan = MigrationPolicy.Plan(Links[link], Vm(dirtyMiB), limits, MigrationFeatures.Qemu72);

        Assert.Equal(channels, plan.MultifdChannels);
        Assert.Equal(compression, plan.Compression);
        Assert.Equal(level, plan.CompressionLevel);
        Assert.Equal(xbzrleMiB * MiB, plan.XbzrleCacheBytes);
        Assert.Equal(postCopy, plan.PostCopy);
        Assert.True(plan.AutoConverge);
        Assert.Equal(trigger, plan.ThrottleTriggerPercent);
        Assert.Equal(limits.DowntimeLimit, plan.DowntimeLimit);
        // QEMU refuses these combinations (migration/options.c).
        Assert.False(plan.MultifdChannels > 0 && plan.Xbzrle);
        Assert.False(plan.MultifdChannels > 0 && plan.PostCopy);
        Assert.False(plan.Compression != MigrationCompression.None && plan.MultifdChannels == 0);
    }

    /// <summary>With the node tunnel (ADR 0013): it carries the streams wherever compression pays and one stream fills
    /// the link; RAM then goes as one stream (no multifd), QEMU compresses nothing, and xbzrle/post-copy stay possible.</summary>
    [Theory]
    // link      MiB/s  postcopy  transport                     level  xbzrle MiB  postCopy
    [InlineData("lan", 1, false, MigrationTransport.Qemu, 0, 0, false)]
    [InlineData("campus", 1, false, MigrationTransport.Qemu, 0, 0, false)]
    [InlineData("wan", 1, false, MigrationTransport.Tunnel, 1, 0, false)]
    [InlineData("wan", 20, false, MigrationTransport.Tunnel, 1, 512, false)]
    [InlineData("dsl", 1, false, MigrationTransport.Tunnel, 3, 512, false)]
    [InlineData("dsl", 1, true, MigrationTransport.Tunnel, 3, 512, false)]
    [InlineData("mobile", 1, false, MigrationTransport.Qemu, 0, 0, false)]
    public void Plan_WithTheNodeTunnel_PicksTheTransport(
        string link, double dirtyMiB, bool allowPostCopy, MigrationTransport transport, int level, long xbzrleMiB, bool postCopy)
    {
        var plan = MigrationPolicy.Plan(
            Links[link], Vm(dirtyMiB), new MigrationLimits { AllowPostCopy = allowPostCopy }, MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel);

        Assert.Equal(transport, plan.Transport);
        Assert.Equal(level, plan.TunnelCompressionLevel);
        Assert.Equal(xbzrleMiB * MiB, plan.XbzrleCacheBytes);
        Assert.Equal(postCopy, plan.PostCopy);
        if (transport == MigrationTransport.Tunnel)
        {
            Assert.Equal(0, plan.MultifdChannels);
            Assert.Equal(MigrationCompression.None, plan.Compression);
            // QEMU's cap counts bytes before compression: the tunnel's TCP connection is what holds it to the link.
            Assert.Equal((long)(Links[link].Bandwidth.BytesPerSecond * 1.25 * 8), plan.MaxBandwidth.BytesPerSecond);
            Assert.StartsWith($"tunnel, zstd level {level}", plan.Reasons.Single(r => r.Parameter == "transport").Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Plan_Always_ExplainsEveryParameterInOrder()
    {
        var plan = MigrationPolicy.Plan(Links["dsl"], Vm(), new MigrationLimits(), MigrationFeatures.Qemu72);

        Assert.Equal(
            ["maxBandwidth", "downtimeLimit", "multifdChannels", "compression", "xbzrleCacheBytes", "autoConverge", "throttleTriggerPercent", "postCopy", "transport"],
            plan.Reasons.Select(r => r.Parameter));
        Assert.All(plan.Reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.StartsWith("zstd level 3: the 50 Mbit/s link is the bottleneck", plan.Reasons[3].Reason, StringComparison.Ordinal);
        Assert.StartsWith("off: the user did not allow it", plan.Reasons[7].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mobile", "multifdChannels", "6: zstd compresses in multifd channels (at least 2, QEMU's default); one TCP stream carries at most 1.77 Mbit/s at RTT 80 ms and 1 % loss (Mathis), so 6 fill the 10 Mbit/s link")]
    [InlineData("lan", "compression", "none: on a 10 Gbit/s link compression costs more CPU than it saves (rows 23, 30)")]
    [InlineData("lan", "multifdChannels", "0 (multifd off): one stream fills the 10 Gbit/s link (up to 13.56 Gbit/s each), and without multifd xbzrle and post-copy stay possible")]
    [InlineData("wan", "xbzrleCacheBytes", "off: QEMU refuses xbzrle together with multifd")]
    [InlineData("lan", "xbzrleCacheBytes", "off: the guest dirties little (λ = 0.00 < 0.10), so few pages are sent twice")]
    public void Plan_Reasons_NameTheNumbers(string link, string parameter, string reason)
    {
        var plan = MigrationPolicy.Plan(Links[link], Vm(), new MigrationLimits(), MigrationFeatures.Qemu72);

        Assert.Equal(reason, plan.Reasons.Single(r => r.Parameter == parameter).Reason);
    }

    [Fact]
    public void Plan_PostCopyAllowedOnAWan_IsNotArmedAndSaysWhy()
    {
        var plan = MigrationPolicy.Plan(Links["dsl"], Vm(), new MigrationLimits { AllowPostCopy = true }, MigrationFeatures.Qemu72);

        Assert.False(plan.PostCopy);
        Assert.StartsWith("off although allowed: on this link (RTT 40 ms, loss 0 %)", plan.Reasons.Single(r => r.Parameter == "postCopy").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_PostCopyAndMultifdTogether_KeepsMultifdWhereQemuAllowsIt()
    {
        var features = MigrationFeatures.Qemu72 | MigrationFeatures.PostCopyWithMultifd;

        var plan = MigrationPolicy.Plan(Links["lan25"], Vm(), new MigrationLimits { AllowPostCopy = true }, features);

        Assert.Equal(2, plan.MultifdChannels);
        Assert.True(plan.PostCopy);
    }

    [Fact]
    public void Plan_Lan25WithPostCopy_DropsMultifdAndSaysWhy()
    {
        var plan = MigrationPolicy.Plan(Links["lan25"], Vm(), new MigrationLimits { AllowPostCopy = true }, MigrationFeatures.Qemu72);

        Assert.Contains("cannot combine multifd with post-copy", plan.Reasons.Single(r => r.Parameter == "multifdChannels").Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dsl", null, 62_500_000 / 8)]
    [InlineData("lan", null, 1_562_500_000)]
    [InlineData("dsl", 20.0, 2_500_000)]
    [InlineData("dsl", 200.0, 25_000_000)]
    public void Plan_MaxBandwidth_IsTheUsersCapElseTheLinkWithHeadroom(string link, double? capMegabits, long expected)
    {
        var limits = new MigrationLimits { MaxBandwidth = capMegabits is { } cap ? DataRate.FromMegabitsPerSecond(cap) : null };

        var plan = MigrationPolicy.Plan(Links[link], Vm(), limits, MigrationFeatures.Qemu72);

        Assert.Equal(expected, plan.MaxBandwidth.BytesPerSecond);
    }

    [Fact]
    public void Plan_UserCapsALanBelow1Gbit_Compresses()
    {
        var limits = new MigrationLimits { MaxBandwidth = DataRate.FromMegabitsPerSecond(500) };

        var plan = MigrationPolicy.Plan(Links["lan"], Vm(), limits, MigrationFeatures.Qemu72);

        Assert.Equal(MigrationCompression.Zstd, plan.Compression);
        Assert.Equal(MigrationPolicy.ZstdLevelFast, plan.CompressionLevel);
        Assert.Equal(2, plan.MultifdChannels);
        // No compression gain assumed: RAM and overlay cross at the capped rate.
        Assert.Equal((2 + 1) * GiB / (62_500_000 * 0.95), plan.Prediction.TotalTime.TotalSeconds, 2.0);
    }

    [Fact]
    public void Plan_QemuWithoutFeatures_UsesPlainPreCopy()
    {
        var plan = MigrationPolicy.Plan(Links["mobile"], Vm(20), new MigrationLimits { AllowPostCopy = true }, MigrationFeatures.None);

        Assert.Equal(0, plan.MultifdChannels);
        Assert.Equal(MigrationCompression.None, plan.Compression);
        Assert.False(plan.Xbzrle);
        Assert.False(plan.AutoConverge);
        Assert.False(plan.PostCopy);
        Assert.Equal("0 (multifd off): this QEMU build has no multifd", plan.Reasons.Single(r => r.Parameter == "multifdChannels").Reason);
        Assert.Equal("off: this QEMU build has no auto-converge", plan.Reasons.Single(r => r.Parameter == "autoConverge").Reason);
    }

    [Fact]
    public void Plan_ThrottlingNotAllowed_LeavesAutoConvergeOff()
    {
        var plan = MigrationPolicy.Plan(Links["dsl"], Vm(20), new MigrationLimits { AllowAutoConverge = false }, MigrationFeatures.Qemu72);

        Assert.False(plan.AutoConverge);
        Assert.Equal("off: the user does not allow throttling the guest", plan.Reasons.Single(r => r.Parameter == "autoConverge").Reason);
    }

    [Fact]
    public void Plan_Prediction_IsTheModelWithTheChosenParameters()
    {
        var vm = Vm(5) with { CompressionRatio = 2 };
        var plan = MigrationPolicy.Plan(Links["dsl"], vm, new MigrationLimits(), MigrationFeatures.Qemu72);

        var expected = PreCopyModel.Predict(vm, Links["dsl"], new PreCopySettings { MultifdChannels = 2, Compression = true });

        Assert.Equal(expected.TotalTime, plan.Prediction.TotalTime);
        Assert.Equal(expected.TotalBytes, plan.Prediction.TotalBytes);
        Assert.True(plan.Prediction.Converges);
    }

    [Fact]
    public void Plan_NotConverging_SaysSoInTheDowntimeReason()
    {
        var plan = MigrationPolicy.Plan(Links["dsl"], Vm(20), new MigrationLimits(), MigrationFeatures.Qemu72);

        Assert.False(plan.Prediction.Converges);
        Assert.Contains("; the model expects no convergence at it: the guest dirties memory at 20 MiB/s",
            plan.Reasons.Single(r => r.Parameter == "downtimeLimit").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NonsensicalLimits_ThrowsNamingTheFields()
    {
        var limits = new MigrationLimits { MaxBandwidth = DataRate.Zero, DowntimeLimit = TimeSpan.Zero };

        var exception = Assert.Throws<ArgumentException>(() => MigrationPolicy.Plan(Links["dsl"], Vm(), limits, MigrationFeatures.Qemu72));

        Assert.Equal(
            "maxBandwidth: must be more than 0 (got 0 bytes/s); leave it out for no cap; " +
            "downtimeLimit: must be at least 1 ms (got 0 ms): QEMU sets it in whole milliseconds",
            exception.Message);
    }

    /// <summary>Issue 16: the plan between nodes sharing a Ceph pool predicts the RAM alone — the sample VM's 1 GiB overlay
    /// (and a base the target lacks) never appears, so the move is shorter and sends fewer bytes.</summary>
    [Theory]
    [InlineData("lan")]
    [InlineData("dsl")]
    public void Plan_SharedDisk_PredictsNoDiskPhase(string link)
    {
        var shared = Vm(5) with { SharedDisk = true, TargetHasBase = false };

        var plan = MigrationPolicy.Plan(Links[link], shared, new MigrationLimits(), MigrationFeatures.Qemu72);
        var mirrored = MigrationPolicy.Plan(Links[link], shared with { SharedDisk = false }, new MigrationLimits(), MigrationFeatures.Qemu72);

        Assert.DoesNotContain(plan.Prediction.Phases, p => p.Phase is MigrationPhase.DiskMirror or MigrationPhase.BaseImage);
        Assert.Contains(mirrored.Prediction.Phases, p => p.Phase is MigrationPhase.DiskMirror);
        Assert.True(plan.Prediction.TotalTime < mirrored.Prediction.TotalTime, $"{plan.Prediction.TotalTime} vs {mirrored.Prediction.TotalTime}");
        Assert.True(plan.Prediction.TotalBytes < mirrored.Prediction.TotalBytes, $"{plan.Prediction.TotalBytes} vs {mirrored.Prediction.TotalBytes} bytes");
    }
}
