using SkillVL.Core.Migration;
using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Migration.MigrationSamples;

namespace SkillVL.Core.Tests.Migration;

public sealed class MigrationRequestValidatorTests
{
    [Fact]
    public void Validate_SensibleRequest_HasNoErrors()
    {
        var limits = new MigrationLimits
        {
            MaxBandwidth = DataRate.FromMegabitsPerSecond(40),
            DowntimeLimit = TimeSpan.FromMilliseconds(1),
            MaxDowntime = TimeSpan.FromSeconds(2000),
            MaxTotalTime = TimeSpan.FromMinutes(30),
        };

        Assert.Empty(MigrationRequestValidator.Validate(limits, Links["mobile"], Vm() with { NonZeroMemoryBytes = 2 * GiB }));
        Assert.Empty(MigrationRequestValidator.ValidateSettings(new PreCopySettings()));
    }

    /// <summary>The user's limits (issue 6 "Bad input": zero or negative bandwidth, downtime limit below 1 ms).</summary>
    [Theory]
    [InlineData(0L, 300.0, null, null, "maxBandwidth", "must be more than 0 (got 0 bytes/s); leave it out for no cap")]
    [InlineData(-125_000L, 300.0, null, null, "maxBandwidth", "must be more than 0 (got -125000 bytes/s); leave it out for no cap")]
    [InlineData(null, 0.0, null, null, "downtimeLimit", "must be at least 1 ms (got 0 ms): QEMU sets it in whole milliseconds")]
    [InlineData(null, 0.5, null, null, "downtimeLimit", "must be at least 1 ms (got 0.5 ms): QEMU sets it in whole milliseconds")]
    [InlineData(null, -300.0, null, null, "downtimeLimit", "must be at least 1 ms (got -300 ms): QEMU sets it in whole milliseconds")]
    [InlineData(null, 2_000_001.0, null, null, "downtimeLimit", "must be at most 2000 s, the most QEMU accepts (got 2000001 ms)")]
    [InlineData(null, 300.0, 200.0, null, "maxDowntime", "must be at least downtimeLimit (300 ms), got 200 ms")]
    [InlineData(null, 300.0, 3_000_000.0, null, "maxDowntime", "must be at most 2000 s, the most QEMU accepts (got 3000000 ms)")]
    [InlineData(null, 300.0, null, 0.0, "maxTotalTime", "must be positive (got 00:00:00); leave it out for no limit")]
    public void ValidateLimits_Nonsense_NamesTheField(
        long? maxBandwidth, double downtimeMs, double? maxDowntimeMs, double? maxTotalSeconds, string field, string message)
    {
        var limits = new MigrationLimits
        {
            MaxBandwidth = maxBandwidth is { } b ? new DataRate(b) : null,
            DowntimeLimit = TimeSpan.FromMilliseconds(downtimeMs),
            MaxDowntime = maxDowntimeMs is { } d ? TimeSpan.FromMilliseconds(d) : null,
            MaxTotalTime = maxTotalSeconds is { } t ? TimeSpan.FromSeconds(t) : null,
        };

        Assert.Equal([new ValidationError(field, message)], MigrationRequestValidator.ValidateLimits(limits));
    }

    [Theory]
    [InlineData(0L, 10.0, 0.0, "link.bandwidth", "must be more than 0 (got 0 bytes/s): nothing can cross the link")]
    [InlineData(-1L, 10.0, 0.0, "link.bandwidth", "must be more than 0 (got -1 bytes/s): nothing can cross the link")]
    [InlineData(1000L, -1.0, 0.0, "link.roundTripTime", "must not be negative (got -00:00:00.0010000)")]
    [InlineData(1000L, 10.0, 1.0, "link.lossRatio", "must be a fraction from 0 up to, not including, 1 (got 1; 0.01 = 1 %)")]
    [InlineData(1000L, 10.0, -0.1, "link.lossRatio", "must be a fraction from 0 up to, not including, 1 (got -0.1; 0.01 = 1 %)")]
    [InlineData(1000L, 10.0, double.NaN, "link.lossRatio", "must be a fraction from 0 up to, not including, 1 (got NaN; 0.01 = 1 %)")]
    public void ValidateLink_Nonsense_NamesTheField(long bandwidth, double rttMs, double loss, string field, string message)
    {
        var link = new LinkMeasurement(new DataRate(bandwidth), TimeSpan.FromMilliseconds(rttMs), loss);

        Assert.Equal([new ValidationError(field, message)], MigrationRequestValidator.ValidateLink(link));
    }

    [Theory]
    [InlineData("memoryBytes", -1.0, "vm.memoryBytes", "must be more than 0 (got -1)")]
    [InlineData("nonZeroMemoryBytes", 3.0 * GiB, "vm.nonZeroMemoryBytes", "must be from 0 to memoryBytes (2147483648), got 3221225472")]
    [InlineData("nonZeroMemoryBytes", -1.0, "vm.nonZeroMemoryBytes", "must be from 0 to memoryBytes (2147483648), got -1")]
    [InlineData("dirtyRate", -1.0, "vm.dirtyRate", "must not be negative (got -1 bytes/s)")]
    [InlineData("overlayBytes", -1.0, "vm.overlayBytes", "must not be negative (got -1 bytes)")]
    [InlineData("baseImageBytes", -4096.0, "vm.baseImageBytes", "must not be negative (got -4096 bytes)")]
    [InlineData("diskWriteRate", -1.0, "vm.diskWriteRate", "must not be negative (got -1 bytes/s)")]
    [InlineData("compressionRatio", 0.5, "vm.compressionRatio", "must be a finite number of at least 1 (1 = incompressible), got 0.5")]
    [InlineData("compressionRatio", double.PositiveInfinity, "vm.compressionRatio", "must be a finite number of at least 1 (1 = incompressible), got Infinity")]
    public void ValidateVm_Nonsense_NamesTheField(string property, double value, string field, string message)
    {
        var vm = property switch
        {
            "memoryBytes" => Vm() with { MemoryBytes = (long)value },
            "nonZeroMemoryBytes" => Vm() with { NonZeroMemoryBytes = (long)value },
            "dirtyRate" => Vm() with { DirtyRate = new DataRate((long)value) },
            "overlayBytes" => Vm() with { OverlayBytes = (long)value },
            "baseImageBytes" => Vm() with { BaseImageBytes = (long)value },
            "diskWriteRate" => Vm() with { DiskWriteRate = new DataRate((long)value) },
            "compressionRatio" => Vm() with { CompressionRatio = value },
            _ => throw new ArgumentOutOfRangeException(nameof(property)),
        };

        Assert.Equal([new ValidationError(field, message)], MigrationRequestValidator.ValidateVm(vm));
    }

    [Fact]
    public void ValidateSettings_Nonsense_NamesEveryField()
    {
        var settings = new PreCopySettings
        {
            BandwidthCap = DataRate.Zero,
            DowntimeLimit = TimeSpan.Zero,
            MultifdChannels = -1,
            MaxIterations = 0,
            Efficiency = 1.5,
            ResumeTime = TimeSpan.FromMilliseconds(-1),
        };

        Assert.Equal(
            ["settings.bandwidthCap", "settings.downtimeLimit", "settings.multifdChannels", "settings.maxIterations", "settings.efficiency", "settings.resumeTime"],
            MigrationRequestValidator.ValidateSettings(settings).Select(e => e.Field));
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEachInOrder()
    {
        var errors = MigrationRequestValidator.Validate(
            new MigrationLimits { MaxBandwidth = DataRate.Zero, DowntimeLimit = TimeSpan.Zero },
            new LinkMeasurement(DataRate.Zero, TimeSpan.Zero),
            Vm() with { MemoryBytes = 0, NonZeroMemoryBytes = null });

        Assert.Equal(["maxBandwidth", "downtimeLimit", "link.bandwidth", "vm.memoryBytes"], errors.Select(e => e.Field));
    }
}
