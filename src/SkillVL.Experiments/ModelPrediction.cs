using SkillVL.Core.Migration;

namespace SkillVL.Experiments;

/// <summary>
/// What the pre-copy model (<see cref="PreCopyModel"/>) predicts for a cell, from its levels alone, so that
/// <c>skillvl experiment report</c> can put it beside the measurement from the CSV without the testbed. The inputs are
/// built as the Server builds them (MigrationRunner): for <c>skillvl</c> the policy's own plan
/// (<see cref="MigrationPolicy.Plan"/>, QEMU 7.2's features, the template cached on the target, the overlay the guest
/// wrote); for <c>baseline</c> QEMU's defaults (128 MiB/s cap, 300 ms downtime limit, no compression) and a full mirror
/// of the disk (the template's data plus what was written).
/// </summary>
public static class ModelPrediction
{
    /// <summary>What the tiny guest's OS and page cache keep in RAM besides the fill (non-zero pages).</summary>
    public const long OsResidentBytes = 16L << 20;

    /// <summary>zstd's ratio on "compressible" fill: busybox od's hex dump of random bytes, 8 MiB of it 2.13:1 at level 3
    /// (measured with the tiny guest's busybox on the build host).</summary>
    public const double CompressibleRatio = 2.1;

    /// <summary>QEMU's default max-bandwidth, the baseline's cap (as MigrationRunner's QemuDefaultMaxBandwidth).</summary>
    public static readonly DataRate QemuDefaultMaxBandwidth = DataRate.FromMebibytesPerSecond(128);

    /// <summary>The downtime SkillVL's runs allow (the runner's request), which the policy plans with.</summary>
    public static readonly TimeSpan SkillVlMaxDowntime = TimeSpan.FromSeconds(2);

    /// <summary>The prediction, or null when the model refuses the inputs.</summary>
    /// <param name="templateDataBytes">Data in the template's disk (what a full mirror carries besides the overlay).</param>
    public static MigrationPrediction? Predict(ExperimentCell cell, long templateDataBytes)
    {
        ArgumentNullException.ThrowIfNull(cell);

        // VMs moving at once share the link evenly: each sees 1/n of it.
        var link = new LinkMeasurement(new DataRate(cell.Bandwidth.BytesPerSecond / cell.Vms), cell.Rtt);
        var filled = cell.Fill == "zeros" ? 0 : cell.FilledRamBytes;
        var baseline = cell.Method == "baseline";
        var profile = new VmMigrationProfile
        {
            MemoryBytes = cell.RamBytes,
            NonZeroMemoryBytes = Math.Min(cell.RamBytes, filled + OsResidentBytes),
            DirtyRate = cell.DirtyRate,
            OverlayBytes = cell.WrittenBytes + (baseline ? templateDataBytes : 0),
            BaseImageBytes = baseline ? 0 : templateDataBytes,
            TargetHasBase = !baseline,
            CompressionRatio = cell.Fill == "compressible" ? CompressibleRatio : 1,
        };
        try
        {
            return baseline
                ? PreCopyModel.Predict(profile, link, new PreCopySettings { BandwidthCap = QemuDefaultMaxBandwidth, DowntimeLimit = MigrationLimits.DefaultDowntimeLimit })
                : MigrationPolicy.Plan(link, profile, new MigrationLimits { MaxDowntime = SkillVlMaxDowntime }, MigrationFeatures.Qemu72).Prediction;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
