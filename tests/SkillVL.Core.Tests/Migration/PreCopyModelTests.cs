using SkillVL.Core.Migration;
using Xunit;
using static SkillVL.Core.Tests.Migration.MigrationSamples;

namespace SkillVL.Core.Tests.Migration;

public sealed class PreCopyModelTests
{
    /// <summary>
    /// migration-anchors.md §6, "Model with downtime-limit = 300 ms and a uniform dirty rate D": RAM GiB, link Gbit/s,
    /// D MiB/s → rounds n, total seconds, downtime ms (where the table gives one), GiB sent (where it gives one).
    /// </summary>
    [Theory]
    [InlineData(4, 1, 1, 1, 35, 290.0, null)]
    [InlineData(4, 1, 10, 2, 38, 240.0, null)]
    [InlineData(4, 1, 50, 6, 59, 190.0, 6.9)]
    [InlineData(4, 0.1, 1, 3, 375, null, null)]
    [InlineData(8, 10, 1, 1, 6.9, null, null)]
    [InlineData(8, 10, 10, 1, 6.9, 60.0, null)]
    [InlineData(8, 10, 50, 1, 7.2, 290.0, null)]
    public void Predict_ResearchTable_MatchesAnchors(
        double ramGiB, double linkGbit, double dirtyMiB, int rounds, double totalSeconds, double? downtimeMs, double? sentGiB)
    {
        var prediction = PreCopyModel.Predict(RamOnly(ramGiB, dirtyMiB), Link(linkGbit * 1000), Ideal());

        Assert.True(prediction.Converges);
        Assert.Equal(rounds, prediction.Rounds);
        // The table rounds to two significant digits.
        Assert.Equal(totalSeconds, prediction.TotalTime.TotalSeconds, totalSeconds * 0.03);
        if (downtimeMs is { } downtime)
        {
            Assert.Equal(downtime, prediction.Downtime.TotalMilliseconds, 10.0);
            Assert.True(prediction.Downtime <= TimeSpan.FromMilliseconds(300));
        }

        if (sentGiB is { } sent)
        {
            Assert.Equal(sent, prediction.TotalBytes / (double)GiB, 0.05);
        }
    }

    [Fact]
    public void Predict_LowDirtyRate_TotalIsTheGeometricSeries()
    {
        // 1 GiB at 1 Gbit/s, D = 5 MiB/s: λ = D/B ≈ 0.042.
        var vm = RamOnly(1, 5);
        var link = Link(1000);
        var prediction = PreCopyModel.Predict(vm, link, Ideal());

        var m = (double)GiB;
        var b = link.Bandwidth.BytesPerSecond;
        var lambda = vm.DirtyRate.BytesPerSecond / (double)b;
        Assert.Equal(lambda, prediction.DirtyRatio, 1e-9);
        Assert.Equal(2, prediction.Rounds);
        // V_mig = M (1 − λ^(n+1)) / (1 − λ)  and  T_mig = V_mig / B  (§6)
        var series = m * (1 - Math.Pow(lambda, prediction.Rounds + 1)) / (1 - lambda);
        Assert.Equal(series, prediction.TotalBytes, 3.0);
        Assert.Equal(series / b, prediction.TotalTime.TotalSeconds, 1e-3);
        // …which is within 0.01 % of the infinite sum M/B · 1/(1 − D/B).
        Assert.Equal(m / b / (1 - lambda), prediction.TotalTime.TotalSeconds, m / b / (1 - lambda) * 1e-4);
        // T_down = (M/B) λ^n
        Assert.Equal(m / b * Math.Pow(lambda, prediction.Rounds), prediction.Downtime.TotalSeconds, 1e-6);
    }

    [Fact]
    public void Predict_AlmostAsFastAsTheLink_GivesUpAfter30Rounds()
    {
        // §6: 4 GiB at 100 Mbit/s, D = 10 MiB/s: "λ=0.84, effectively non-convergent at 300 ms (≈2100 s, 24.7 GiB sent after 30 rounds)".
        var prediction = PreCopyModel.Predict(RamOnly(4, 10), Link(100), Ideal());

        Assert.False(prediction.Converges);
        Assert.Equal(30, prediction.Rounds);
        Assert.Equal(0.84, prediction.DirtyRatio, 0.005);
        Assert.Equal(24.7, prediction.RoundBytes.Sum() / (double)GiB, 0.05);
        Assert.Equal(2100, prediction.Phase(MigrationPhase.RamPreCopy)!.Duration.TotalSeconds, 2100 * 0.02);
        Assert.StartsWith("after 30 rounds ", prediction.NonConvergenceReason, StringComparison.Ordinal);
        // Forcing the switch-over there would pause the guest for seconds.
        Assert.InRange(prediction.Downtime.TotalSeconds, 1.5, 2.0);
    }

    [Fact]
    public void Predict_DirtierThanTheLink_NeverConverges()
    {
        // §6: 4 GiB at 100 Mbit/s, D = 50 MiB/s: "λ=4.2, never converges".
        var prediction = PreCopyModel.Predict(RamOnly(4, 50), Link(100), Ideal());

        Assert.False(prediction.Converges);
        Assert.Equal(4.2, prediction.DirtyRatio, 0.05);
        Assert.Contains("never converges", prediction.NonConvergenceReason, StringComparison.Ordinal);
        // A round cannot dirty more than all of RAM.
        Assert.All(prediction.RoundBytes, v => Assert.True(v <= 4 * GiB));
        Assert.Equal(4 * GiB, prediction.FinalDirtyBytes);
    }

    /// <summary>§6 "lower bound = size / bandwidth": GiB at Mbit/s (optionally capped in MiB/s) → seconds.</summary>
    [Theory]
    [InlineData(2, 20, null, 859)]
    [InlineData(8, 100, null, 687)]
    [InlineData(10, 20, null, 4295)]
    [InlineData(50, 10_000, null, 43)]
    [InlineData(20, 10_000, 128.0, 160)]
    [InlineData(2, 10_000, 128.0, 16)]
    public void Predict_DiskOverlayOnly_TakesSizeOverBandwidth(double gib, double megabits, double? capMiB, double seconds)
    {
        var vm = new VmMigrationProfile { MemoryBytes = GiB, NonZeroMemoryBytes = 0, OverlayBytes = (long)(gib * GiB), TargetHasBase = true };
        var settings = Ideal() with { BandwidthCap = capMiB is { } cap ? DataRate.FromMebibytesPerSecond(cap) : null };

        var prediction = PreCopyModel.Predict(vm, Link(megabits), settings);

        Assert.True(prediction.Converges);
        Assert.Equal(0, prediction.Rounds);
        Assert.Equal(seconds, prediction.TotalTime.TotalSeconds, seconds * 0.01);
        Assert.Equal((long)(gib * GiB), prediction.Phase(MigrationPhase.DiskMirror)!.Bytes);
    }

    [Theory]
    [InlineData(true, 1.0, 172)]
    [InlineData(false, 3.0, 515)]
    public void Predict_BaseImage_CrossesOnlyWhenTheTargetLacksIt(bool targetHasBase, double expectedGiB, double expectedSeconds)
    {
        // Issue 6's measured case: 1 GiB written on a 2 GiB base, over 50 Mbit/s.
        var vm = new VmMigrationProfile
        {
            MemoryBytes = 512 * MiB, NonZeroMemoryBytes = 0, OverlayBytes = GiB, BaseImageBytes = 2 * GiB, TargetHasBase = targetHasBase,
        };

        var prediction = PreCopyModel.Predict(vm, Link(50), Ideal());

        Assert.Equal(targetHasBase, prediction.Phase(MigrationPhase.BaseImage) is null);
        Assert.Equal(expectedGiB, prediction.TotalBytes / (double)GiB, 1e-6);
        Assert.Equal(expectedSeconds, prediction.TotalTime.TotalSeconds, 1.0);
    }

    [Fact]
    public void Predict_DiskWrites_SlowTheMirrorAndShareTheLinkWithRam()
    {
        var link = Link(50);
        var vm = Vm(dirtyMiBPerSecond: 0) with { DiskWriteRate = DataRate.FromMebibytesPerSecond(1) };
        var b = (double)link.Bandwidth.BytesPerSecond;
        var w = (double)MiB;

        var prediction = PreCopyModel.Predict(vm, link, Ideal());

        // T = V / (B − W), and the link carried B·T = V + W·T.
        var mirror = prediction.Phase(MigrationPhase.DiskMirror)!;
        Assert.Equal(GiB / (b - w), mirror.Duration.TotalSeconds, 1e-3);
        Assert.Equal(GiB + w * mirror.Duration.TotalSeconds, mirror.Bytes, 2.0);
        // RAM gets what the mirror leaves, and the mirror's writes during the RAM phase count there.
        Assert.Equal((long)(b - w), prediction.RamRate.BytesPerSecond);
        var ram = prediction.Phase(MigrationPhase.RamPreCopy)!;
        Assert.Equal(2 * GiB + w * ram.Duration.TotalSeconds, ram.Bytes, 2.0);
    }

    [Fact]
    public void Predict_DiskWrittenFasterThanTheLink_MirrorNeverCatchesUp()
    {
        var vm = Vm() with { DiskWriteRate = DataRate.FromMebibytesPerSecond(10) };

        var prediction = PreCopyModel.Predict(vm, Link(50), Ideal());

        Assert.False(prediction.Converges);
        Assert.Equal(TimeSpan.MaxValue, prediction.TotalTime);
        Assert.Equal(TimeSpan.MaxValue, prediction.Phase(MigrationPhase.DiskMirror)!.Duration);
        Assert.Null(prediction.Phase(MigrationPhase.RamPreCopy));
        Assert.Contains("the mirror never catches up", prediction.NonConvergenceReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 2.0, 1.0)]
    [InlineData(true, 1.0, 1.0)]
    [InlineData(true, 2.5, 2.5)]
    public void Predict_Compression_MultipliesTheRamRateAndDividesItsBytes(bool compression, double ratio, double expectedGain)
    {
        var link = Link(100);
        var vm = RamOnly(2, 0) with { CompressionRatio = ratio };

        var prediction = PreCopyModel.Predict(vm, link, Ideal() with { Compression = compression });

        Assert.Equal(link.Bandwidth.BytesPerSecond * expectedGain, prediction.RamRate.BytesPerSecond, 1.0);
        Assert.Equal(2 * GiB / expectedGain, prediction.Phase(MigrationPhase.RamPreCopy)!.Bytes, 1.0);
    }

    [Fact]
    public void Predict_Defaults_AddSetupRoundTripsHalfRttAndResumeToTheIdealModel()
    {
        // An idle 512 MiB guest over a 50 Mbit/s, 40 ms link: the pause is the last byte's way plus the resume.
        var vm = RamOnly(0.5, 0);
        var prediction = PreCopyModel.Predict(vm, Link(50, rttMs: 40), new PreCopySettings());

        Assert.Equal(TimeSpan.FromMilliseconds(120), prediction.Phase(MigrationPhase.Setup)!.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(20) + PreCopySettings.DefaultResumeTime, prediction.Downtime);
        var rate = DataRate.FromMegabitsPerSecond(50).BytesPerSecond * PreCopySettings.DefaultEfficiency;
        Assert.Equal((long)rate, prediction.RamRate.BytesPerSecond);
        Assert.Equal(0.12 + 512 * MiB / rate + 0.045, prediction.TotalTime.TotalSeconds, 1e-3);
    }

    [Fact]
    public void Predict_ZeroPages_AreNotSent()
    {
        var half = RamOnly(1, 0) with { NonZeroMemoryBytes = 512 * MiB };

        var prediction = PreCopyModel.Predict(half, Link(100), Ideal());

        Assert.Equal([512 * MiB], prediction.RoundBytes);
    }

    [Fact]
    public void Predict_RamThatFitsTheDowntimeLimit_SwitchesOverAtOnce()
    {
        // 256 MiB at 10 Gbit/s: 300 ms carry 357 MiB, so QEMU stops the guest and sends everything (n = 0).
        var prediction = PreCopyModel.Predict(RamOnly(0.25, 100), Link(10_000), Ideal());

        Assert.Equal(0, prediction.Rounds);
        Assert.Equal(256 * MiB, prediction.FinalDirtyBytes);
        Assert.Equal(256 * MiB / 1.25e9, prediction.Downtime.TotalSeconds, 1e-6);
    }

    [Theory]
    [InlineData(80, 0.01, 221_678)]
    [InlineData(40, 0.001, 1_402_019)]
    [InlineData(80, 0, 1_695_547_392)]
    [InlineData(0, 0.01, 1_695_547_392)]
    public void StreamCeiling_IsMathisOnLossyLinksElseTheCpu(double rttMs, double loss, long expectedBytesPerSecond)
    {
        var ceiling = PreCopyModel.StreamCeiling(Link(10_000, rttMs, loss));

        Assert.Equal(expectedBytesPerSecond, ceiling.BytesPerSecond, 1.0);
    }

    [Theory]
    [InlineData(0, 221_678)]
    [InlineData(1, 221_678)]
    [InlineData(2, 443_356)]
    [InlineData(6, 1_187_500)]
    public void EffectiveRate_MobileLink_GrowsWithStreamsUpToTheLink(int streams, long expected)
    {
        var rate = PreCopyModel.EffectiveRate(Links["mobile"], null, streams, PreCopySettings.DefaultEfficiency);

        Assert.Equal(expected, rate.BytesPerSecond, 2.0);
    }

    /// <summary>Issue 16: between nodes sharing a Ceph pool the disk does not cross: no base, no mirror phase, 0 disk bytes,
    /// and the guest's disk writes do not take the link from RAM — the prediction is that of the RAM alone.</summary>
    [Fact]
    public void Predict_SharedDisk_HasNoDiskPhase_AndIsTheRamOnlyPrediction()
    {
        var ramOnly = RamOnly(1, 5);
        var shared = ramOnly with
        {
            SharedDisk = true,
            OverlayBytes = 2 * GiB,
            BaseImageBytes = 4 * GiB,
            TargetHasBase = false,
            DiskWriteRate = DataRate.FromMebibytesPerSecond(20),
        };
        var mirrored = shared with { SharedDisk = false };

        var prediction = PreCopyModel.Predict(shared, Link(1000), Ideal());

        Assert.DoesNotContain(prediction.Phases, p => p.Phase is MigrationPhase.DiskMirror or MigrationPhase.BaseImage);
        Assert.Equal(0, prediction.Phases.Where(p => p.Phase is MigrationPhase.DiskMirror or MigrationPhase.BaseImage).Sum(p => p.Bytes));
        var alone = PreCopyModel.Predict(ramOnly, Link(1000), Ideal());
        Assert.Equal(alone.TotalBytes, prediction.TotalBytes);
        Assert.Equal(alone.TotalTime, prediction.TotalTime);
        Assert.True(PreCopyModel.Predict(mirrored, Link(1000), Ideal()).TotalTime > prediction.TotalTime + TimeSpan.FromSeconds(40));
    }

    [Theory]
    [InlineData(0L, "vm.memoryBytes", "must be more than 0 (got 0)")]
    [InlineData(-1L, "vm.memoryBytes", "must be more than 0 (got -1)")]
    public void Predict_NonsensicalInput_ThrowsNamingTheField(long memory, string field, string message)
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            PreCopyModel.Predict(RamOnly(1, 0) with { MemoryBytes = memory }, Link(100), Ideal()));

        Assert.Equal($"{field}: {message}", exception.Message);
    }
}
