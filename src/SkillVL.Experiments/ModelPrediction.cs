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
    /// <summary>What the tiny guest keeps in non-zero RAM besides the fill: its kernel, busybox, the agent, and the free
    /// pages GuestLoad's scrub leaves unzeroed (MemFree − 48 MiB). Measured, not assumed: an idle (<c>fill: zeros</c>)
    /// 160 MiB and 224 MiB guest each had QEMU send 75 MiB of RAM (<c>ram_bytes</c>, docs/experiments/calibration-check,
    /// 2026-12-06); it was 16 MiB before that check, which left the model about 11 s short at 50 Mbit/s (ADR 0028).</summary>
    public const long OsResidentBytes = 75L << 20;

    /// <summary>zstd's ratio on "compressible" fill: busybox od's hex dump of random bytes, 8 MiB of it 2.13:1 at level 3
    /// (measured with the tiny guest's busybox on the build host).</summary>
    public const double CompressibleRatio = 2.1;

    /// <summary>QEMU's default max-bandwidth, the baseline's cap (as MigrationRunner's QemuDefaultMaxBandwidth).</summary>
    public static readonly DataRate QemuDefaultMaxBandwidth = DataRate.FromMebibytesPerSecond(128);

    /// <summary>The downtime SkillVL's runs allow (the runner's request), which the policy plans with.</summary>
    public static readonly TimeSpan SkillVlMaxDowntime = TimeSpan.FromSeconds(2);

    /// <summary>The prediction, or null when the model refuses the inputs.</summary>
    /// <param name="templateDataBytes">Data in the template's disk (what a full mirror carries besides the overlay).</param>
    /// <param name="efficiency">The model's link efficiency (<see cref="PreCopySettings.Efficiency"/>); the calibration
    /// (<see cref="ModelCalibration"/>) fits it, everything else predicts with the model's default.</param>
    public static MigrationPrediction? Predict(ExperimentCell cell, long templateDataBytes, double efficiency = PreCopySettings.DefaultEfficiency)
    {
        ArgumentNullException.ThrowIfNull(cell);

        // VMs moving at once share the link evenly: each sees 1/n of it.
        // Loss enters as the Server's model takes it: a TCP stream's rate is capped by Mathis et al.'s bound.
        var link = new LinkMeasurement(new DataRate(cell.Bandwidth.BytesPerSecond / cell.Vms), cell.Rtt, cell.LossFraction);
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
            if (baseline)
            {
                return PreCopyModel.Predict(profile, link, new PreCopySettings
                {
                    BandwidthCap = QemuDefaultMaxBandwidth, DowntimeLimit = MigrationLimits.DefaultDowntimeLimit, Efficiency = efficiency,
                });
            }

            var limits = new MigrationLimits { MaxDowntime = SkillVlMaxDowntime };
            var plan = MigrationPolicy.Plan(link, profile, limits, MigrationFeatures.Qemu72);
            if (efficiency == PreCopySettings.DefaultEfficiency)
            {
                return plan.Prediction;
            }

            // The plan's choices (channels, compression, the tunnel) stay as the Server made them; only the model's
            // efficiency changes, with the settings MigrationPolicy.Plan predicts with.
            return PreCopyModel.Predict(profile, link, new PreCopySettings
            {
                BandwidthCap = limits.MaxBandwidth,
                DowntimeLimit = limits.DowntimeLimit,
                MultifdChannels = plan.MultifdChannels,
                Compression = plan.Compression != MigrationCompression.None || plan.Transport == MigrationTransport.Tunnel,
                Efficiency = efficiency,
            });
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
