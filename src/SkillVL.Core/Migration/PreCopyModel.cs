namespace SkillVL.Core.Migration;

/// <summary>
/// The analytical model of a migration without shared storage: base image (if the target lacks it), disk mirror,
/// iterative RAM pre-copy, stop-and-copy. Pure arithmetic, so the policy can ask "what if" before touching QEMU.
/// </summary>
/// <remarks>
/// <para>RAM follows the standard geometric-series pre-copy model (Liu et al. HPDC 2011, Akoush et al. MASCOTS 2010;
/// migration-anchors.md §6), with R the rate RAM pages cross, D the dirty rate and λ = D/R:</para>
/// <code>
/// V_0 = V_mem (non-zero pages),  T_i = V_i / R,  V_{i+1} = min(D · T_i, V_mem)
/// stop when V_{i+1} ≤ V_thd = B_ram · downtime-limit   (QEMU's rule, §1 row 21 and §6)
/// n = rounds run,  V_mig = Σ_{i=0..n} V_i,  T_down = V_n / R + RTT/2 + T_resume
/// </code>
/// <para>The research's T_down is V_n / R + T_resume; RTT/2 (the last byte's one-way trip) is ours, and matters on a
/// client link (40 ms on an 80 ms mobile link).</para>
/// <para>For constant D this is V_mig = V_mem · (1 − λ^(n+1)) / (1 − λ), which tends to V_mem / (1 − λ); it converges
/// only for λ &lt; 1, and the model gives up after <see cref="PreCopySettings.MaxIterations"/> rounds like Xen
/// (§1 row 34). Capping V_{i+1} at V_mem is what happens for λ ≥ 1: a round cannot dirty more than all of RAM.</para>
/// <para>Rates: B is the link's bandwidth, capped by <c>max-bandwidth</c>, times the protocol efficiency, and at
/// most <see cref="StreamCeiling"/> per TCP stream (RAM: one per multifd channel; NBD and the base image: one).
/// QEMU measures B_ram on the wire, so its switch-over threshold does not grow with compression, while R does:
/// R = B_ram · compression ratio. The disk mirror keeps copying the guest's writes W until switch-over, so the RAM
/// phase gets B − W; the mirror itself is the same series for the disk: T = V_overlay / (B − W), which only ends
/// when W &lt; B.</para>
/// <para>Not modelled: xbzrle (the research has no delta ratio for a given workload; one benchmark cut downtime 100×,
/// row 25), a dirty rate that changes over time (Gudkov's predictor uses the measured curve, §6), throttling.</para>
/// </remarks>
public static class PreCopyModel
{
    /// <summary>TCP payload per segment at MTU 1500 over IPv4 with timestamps.</summary>
    public const int MaximumSegmentSize = 1448;

    /// <summary>TCP, TLS 1.3 and QEMU/NBD handshakes, each one round trip; the connections open in parallel.</summary>
    public const int SetupRoundTrips = 3;

    /// <summary>
    /// What one migration stream carries at most, bound by the CPU that feeds it: a single connection moved
    /// 1617 MiB/s on 100 Gbit/s in Cloud Hypervisor's multi-connection benchmark, the closest published figure for a
    /// per-stream ceiling (migration-anchors.md §1 row 29).
    /// </summary>
    public static readonly DataRate StreamCpuCeiling = DataRate.FromMebibytesPerSecond(1617);

    // Mathis, Semke, Mahdavi, Ott, "The macroscopic behavior of the TCP congestion avoidance algorithm", CCR 1997:
    // throughput ≤ MSS / RTT · C / √p with C = √(3/2) for periodic loss and delayed ACKs off.
    private static readonly double MathisConstant = Math.Sqrt(1.5);

    /// <summary>
    /// The most one TCP stream carries on the link: <see cref="StreamCpuCeiling"/>, and on a lossy link the Mathis
    /// bound MSS / RTT · √(3/2) / √p (e.g. 80 ms and 1 % loss: ≈ 1.8 Mbit/s, so a 10 Mbit/s mobile link needs about six
    /// streams to be filled).
    /// </summary>
    public static DataRate StreamCeiling(LinkMeasurement link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var ceiling = StreamCpuCeiling;
        if (link.LossRatio > 0 && link.RoundTripTime > TimeSpan.Zero)
        {
            var mathis = MaximumSegmentSize / link.RoundTripTime.TotalSeconds * MathisConstant / Math.Sqrt(link.LossRatio);
            ceiling = DataRate.Min(ceiling, new DataRate((long)mathis));
        }

        return ceiling;
    }

    /// <summary>
    /// Payload rate of <paramref name="streams"/> TCP streams on the link: min(min(B, cap) · efficiency,
    /// streams · <see cref="StreamCeiling"/>). Zero streams means one (multifd off still sends on the main channel).
    /// </summary>
    public static DataRate EffectiveRate(LinkMeasurement link, DataRate? cap, int streams, double efficiency)
    {
        ArgumentNullException.ThrowIfNull(link);
        var nominal = cap is { } limit ? DataRate.Min(link.Bandwidth, limit) : link.Bandwidth;
        var payload = nominal.BytesPerSecond * efficiency;
        var streamLimit = StreamCeiling(link).BytesPerSecond * (double)Math.Max(1, streams);
        return new DataRate((long)Math.Min(payload, streamLimit));
    }

    /// <summary>Predicts phases, bytes, total time and downtime of moving <paramref name="vm"/> over <paramref name="link"/>.</summary>
    /// <exception cref="ArgumentException">An input is nonsensical; the message names the field
    /// (<see cref="MigrationRequestValidator"/>).</exception>
    public static MigrationPrediction Predict(VmMigrationProfile vm, LinkMeasurement link, PreCopySettings settings)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(settings);
        MigrationRequestValidator.ThrowIfInvalid(
            [.. MigrationRequestValidator.ValidateVm(vm), .. MigrationRequestValidator.ValidateLink(link),
             .. MigrationRequestValidator.ValidateSettings(settings)]);

        var phases = new List<MigrationPhasePrediction>
        {
            new(MigrationPhase.Setup, 0, link.RoundTripTime * SetupRoundTrips),
        };

        // NBD and the template fetch are one TCP connection each.
        var diskRate = (double)EffectiveRate(link, settings.BandwidthCap, 1, settings.Efficiency).BytesPerSecond;
        if (vm.SharedDisk)
        {
            // Both nodes open the same image: RAM only, and the guest's writes do not share the link with it.
            return PredictRam(vm, link, settings, phases, writes: 0);
        }

        if (!vm.TargetHasBase && vm.BaseImageBytes > 0)
        {
            phases.Add(new(MigrationPhase.BaseImage, vm.BaseImageBytes, Seconds(vm.BaseImageBytes / diskRate)));
        }

        var writes = (double)vm.DiskWriteRate.BytesPerSecond;
        if (vm.OverlayBytes > 0 || writes > 0)
        {
            if (writes >= diskRate)
            {
                phases.Add(new(MigrationPhase.DiskMirror, vm.OverlayBytes, TimeSpan.MaxValue));
                return NeverFinishes(vm, phases,
                    $"the guest writes its disk at {MigrationText.MemoryRate(vm.DiskWriteRate)}, as fast as or faster " +
                    $"than the link mirrors it ({MigrationText.MemoryRate(new DataRate((long)diskRate))}): the mirror never catches up");
            }

            // V / (B − W): the bulk copy plus the writes that arrive while it runs (the same series as RAM).
            var mirrorSeconds = vm.OverlayBytes / (diskRate - writes);
            phases.Add(new(MigrationPhase.DiskMirror, Bytes(diskRate * mirrorSeconds), Seconds(mirrorSeconds)));
        }

        return PredictRam(vm, link, settings, phases, writes);
    }

    private static MigrationPrediction PredictRam(
        VmMigrationProfile vm, LinkMeasurement link, PreCopySettings settings, List<MigrationPhasePrediction> phases, double writes)
    {
        var ratio = settings.Compression ? vm.CompressionRatio : 1;
        var wire = EffectiveRate(link, settings.BandwidthCap, settings.MultifdChannels, settings.Efficiency).BytesPerSecond - writes;
        var rate = wire * ratio;
        var threshold = wire * settings.DowntimeLimit.TotalSeconds;
        var dirty = (double)vm.DirtyRate.BytesPerSecond;
        var memory = (double)vm.MemoryBytes;
        var lambda = dirty / rate;

        var rounds = new List<long>();
        var roundSeconds = 0.0;
        var roundBytes = 0.0;
        var pending = (double)(vm.NonZeroMemoryBytes ?? vm.MemoryBytes);
        var converges = true;
        while (pending > threshold)
        {
            if (rounds.Count == settings.MaxIterations)
            {
                converges = false;
                break;
            }

            var seconds = pending / rate;
            rounds.Add(Bytes(pending));
            roundSeconds += seconds;
            roundBytes += pending;
            pending = Math.Min(dirty * seconds, memory);
        }

        // The mirror keeps sending the guest's disk writes during the RAM phase; they stop with the guest.
        phases.Add(new(MigrationPhase.RamPreCopy, Bytes(roundBytes / ratio + writes * roundSeconds), Seconds(roundSeconds)));
        var downtime = Add(Seconds(pending / rate), link.RoundTripTime / 2 + settings.ResumeTime);
        phases.Add(new(MigrationPhase.SwitchOver, Bytes(pending / ratio), downtime));

        string? reason = null;
        if (!converges)
        {
            reason = lambda >= 1
                ? $"the guest dirties memory at {MigrationText.MemoryRate(vm.DirtyRate)}, as fast as or faster than it " +
                  $"crosses the link ({MigrationText.MemoryRate(new DataRate((long)rate))}, λ = {MigrationText.Ratio(lambda)}): pre-copy never converges"
                : $"after {rounds.Count} rounds {MigrationText.Bytes(pending)} are still dirty, more than the " +
                  $"{MigrationText.Duration(settings.DowntimeLimit)} downtime limit lets cross ({MigrationText.Bytes(threshold)}; " +
                  $"λ = {MigrationText.Ratio(lambda)})";
        }

        return new MigrationPrediction
        {
            Phases = phases,
            Rounds = rounds.Count,
            RoundBytes = rounds,
            FinalDirtyBytes = Bytes(pending),
            RamRate = new DataRate((long)rate),
            DirtyRatio = lambda,
            Converges = converges,
            NonConvergenceReason = reason,
            TotalBytes = phases.Sum(p => p.Bytes),
            TotalTime = phases.Aggregate(TimeSpan.Zero, (sum, p) => Add(sum, p.Duration)),
            Downtime = downtime,
        };
    }

    private static MigrationPrediction NeverFinishes(VmMigrationProfile vm, List<MigrationPhasePrediction> phases, string reason) => new()
    {
        Phases = phases,
        Rounds = 0,
        RoundBytes = [],
        FinalDirtyBytes = vm.NonZeroMemoryBytes ?? vm.MemoryBytes,
        RamRate = DataRate.Zero,
        DirtyRatio = double.PositiveInfinity,
        Converges = false,
        NonConvergenceReason = reason,
        TotalBytes = phases.Sum(p => p.Bytes),
        TotalTime = TimeSpan.MaxValue,
        Downtime = TimeSpan.MaxValue,
    };

    // A phase on a link too slow to finish within TimeSpan's range (~29 000 years) never finishes.
    internal static TimeSpan Seconds(double seconds) =>
        double.IsNaN(seconds) || seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);

    internal static TimeSpan Add(TimeSpan a, TimeSpan b) =>
        a == TimeSpan.MaxValue || b == TimeSpan.MaxValue || a.Ticks > TimeSpan.MaxValue.Ticks - b.Ticks ? TimeSpan.MaxValue : a + b;

    private static long Bytes(double bytes) => (long)Math.Round(bytes);
}
