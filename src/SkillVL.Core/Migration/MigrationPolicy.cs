using System.Numerics;
using static SkillVL.Core.Migration.MigrationText;

namespace SkillVL.Core.Migration;

/// <summary>
/// The decisions of a migration, as pure functions: which QEMU parameters to start with (<see cref="Plan"/>), what to
/// do while the RAM phase runs (<see cref="Decide"/>), and whether a cloud → client move pays off at all
/// (<see cref="WorthMoving"/>). Every answer carries its reason. Rules and anchors: docs/adr/0009-migration-policy.md;
/// "row N" and "§N" below refer to ../shared/research/migration-anchors.md.
/// </summary>
public static class MigrationPolicy
{
    /// <summary>Below this, compression pays: the link, not the CPU, is the bottleneck. At 10+ Gbit/s zstd made
    /// XenServer's evacuation slower (row 30) and QEMU's zstd used 810 % CPU to fill 8.6 Gbit/s (row 23).</summary>
    public static readonly DataRate CompressBelow = DataRate.FromGigabitsPerSecond(1);

    /// <summary>Below this the CPU outruns the link by far more than the cost of zstd level 3 over level 1.</summary>
    public static readonly DataRate HigherZstdLevelBelow = DataRate.FromMegabitsPerSecond(100);

    /// <summary>QEMU's default zstd level (row 19); one core then compresses about 1.2 GB/s of pages (row 23:
    /// 2.39 M pages/s on 8.1 cores).</summary>
    public const int ZstdLevelFast = 1;

    /// <summary>zstd's own default level, for links under <see cref="HigherZstdLevelBelow"/>.</summary>
    public const int ZstdLevelSlowLink = 3;

    /// <summary>QEMU's default <c>multifd-channels</c> (row 19), the fewest the policy asks for when multifd is on.</summary>
    public const int MinMultifdChannels = 2;

    /// <summary>The most channels: in the one published sweep 16 connections were slower than 8 (row 29).</summary>
    public const int MaxMultifdChannels = 8;

    /// <summary>
    /// Post-copy is armed only on links this short (and without loss): every page the guest touches on the target
    /// waits at least a round trip (4 KiB faults took 0.57–10.7 ms even on a 10 Gbit/s LAN, row 27), and the research
    /// keeps post-copy to server ⇄ server and LAN moves because a failure loses the VM (§3).
    /// </summary>
    public static readonly TimeSpan PostCopyMaxRoundTrip = TimeSpan.FromMilliseconds(5);

    /// <summary>xbzrle only pays when pages are sent again: below λ = 0.1 the re-sent rounds are a tenth of RAM or less.</summary>
    public const double XbzrleMinDirtyRatio = 0.1;

    /// <summary>QEMU's default <c>xbzrle-cache-size</c>, 64 MiB (rows 19, 24), the smallest cache the policy asks for.</summary>
    public const long XbzrleMinCacheBytes = 64L << 20;

    /// <summary>With no user cap, <c>max-bandwidth</c> is the measured bandwidth times this, so a low measurement does
    /// not throttle the stream; TCP finds the real rate.</summary>
    public const double BandwidthHeadroom = 1.25;

    /// <summary>Through the tunnel QEMU's cap counts bytes before compression: it is the link's rate times this, about
    /// the most zstd gains on real disk and memory contents (zero pages aside, which QEMU does not send as data).</summary>
    public const int TunnelRawFactor = 8;

    /// <summary>QEMU's <c>throttle-trigger-threshold</c> default (row 19).</summary>
    public const int ThrottleTriggerPercentDefault = 50;

    /// <summary>Throttle only a guest that dirties more than crosses, i.e. one that would never converge.</summary>
    public const int ThrottleTriggerPercentOutrunOnly = 100;

    /// <summary>QEMU's <c>max-cpu-throttle</c> default (row 19): past it, auto-converge has nothing left.</summary>
    public const int MaxThrottlePercent = 99;

    /// <summary>The first pass sends all of RAM, and its dirty rate says nothing yet; judge from the second.</summary>
    public const int MinIterationsToJudge = 2;

    /// <summary>QEMU throttles only after the dirty rate was above the trigger in two sync periods
    /// (<c>dirty_rate_high_cnt &gt;= 2</c> in migration/ram.c); until then a missing throttle is not a failure.</summary>
    public const int ThrottleGracePasses = 2;

    /// <summary>Xen never sends more than 3× RAM (DEF_MAX_FACTOR, row 34): past that pre-copy is not converging.</summary>
    public const int MaxTransferFactor = 3;

    /// <summary>A raised downtime limit gets this margin over QEMU's expected downtime, which moves between passes.</summary>
    public const double DowntimeHeadroom = 1.25;

    private const string PostCopyRisk =
        "post-copy cannot be undone: the guest runs on the target while part of its memory is still on the source, so if " +
        "the link, the source or the target fails before the last page arrives, the VM is lost (postcopy recovery can " +
        "resume after a network drop, not after a node dies)";

    /// <summary>Chooses the QEMU parameters for moving <paramref name="vm"/> over <paramref name="link"/>.</summary>
    /// <param name="targetDialsOut">The target opens every connection itself (a client node behind NAT, ADR 0020): only the
    /// node tunnel can run that way round, so it is the transport whatever the link; the caller checks both nodes offer it.</param>
    /// <exception cref="ArgumentException">An input is nonsensical; the message names the field.</exception>
    public static MigrationParameters Plan(
        LinkMeasurement link, VmMigrationProfile vm, MigrationLimits limits, MigrationFeatures features, bool targetDialsOut = false)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(limits);
        MigrationRequestValidator.ThrowIfInvalid(MigrationRequestValidator.Validate(limits, link, vm));

        var usable = limits.MaxBandwidth is { } userCap ? DataRate.Min(link.Bandwidth, userCap) : link.Bandwidth;
        var (maxBandwidth, bandwidthReason) = ChooseMaxBandwidth(link, limits);

        // Compression, multifd and post-copy constrain each other in QEMU (zstd needs multifd; multifd excludes xbzrle
        // and, in QEMU 7.2, post-copy), so they are chosen together, then explained one by one.
        var canCompress = features.HasFlag(MigrationFeatures.Multifd) && features.HasFlag(MigrationFeatures.MultifdZstd);
        var compress = usable < CompressBelow && canCompress;
        var streamCeiling = PreCopyModel.StreamCeiling(link);
        var streamsToFill = (int)Math.Ceiling(usable.BytesPerSecond * PreCopySettings.DefaultEfficiency / streamCeiling.BytesPerSecond);
        var channels = !features.HasFlag(MigrationFeatures.Multifd) ? 0
            : compress || streamsToFill > 1 ? Math.Clamp(streamsToFill, MinMultifdChannels, MaxMultifdChannels)
            : 0;

        // The node tunnel compresses the disk too, not only RAM, and keeps RAM one stream (QEMU 7.2's multifd sends
        // zero pages in full). It pays where compression does, as long as one stream fills the link.
        var tunnel = features.HasFlag(MigrationFeatures.Tunnel) && ((usable < CompressBelow && streamsToFill <= 1) || targetDialsOut);
        if (tunnel)
        {
            channels = 0;
            compress = false;
            if (limits.MaxBandwidth is null)
            {
                maxBandwidth = new DataRate((long)(link.Bandwidth.BytesPerSecond * BandwidthHeadroom * TunnelRawFactor));
                bandwidthReason = $"{maxBandwidth}: QEMU counts its bytes before the tunnel compresses them, and the tunnel's " +
                    $"connection already holds QEMU to what the {link.Bandwidth} link carries; so QEMU's cap is the link plus 25 % " +
                    $"times {TunnelRawFactor}, which leaves the gain of compression to the stream";
            }
        }

        var (postCopy, postCopyReason) = ChoosePostCopy(link, limits, features);
        var multifdDroppedForPostCopy = postCopy && channels > 0 && !features.HasFlag(MigrationFeatures.PostCopyWithMultifd);
        if (multifdDroppedForPostCopy)
        {
            channels = 0;
            compress = false;
        }

        var level = !compress ? 0 : usable < HigherZstdLevelBelow ? ZstdLevelSlowLink : ZstdLevelFast;
        var tunnelLevel = !tunnel ? 0 : usable < HigherZstdLevelBelow ? ZstdLevelSlowLink : ZstdLevelFast;
        var prediction = PreCopyModel.Predict(vm, link, new PreCopySettings
        {
            BandwidthCap = limits.MaxBandwidth,
            DowntimeLimit = limits.DowntimeLimit,
            MultifdChannels = channels,
            Compression = compress || tunnel,
        });

        var xbzrleCache = ChooseXbzrleCache(vm, features, channels, prediction, out var xbzrleReason);
        var autoConverge = limits.AllowAutoConverge && features.HasFlag(MigrationFeatures.AutoConverge);
        var throttleEarly = prediction.DirtyRatio >= ThrottleTriggerPercentDefault / 100.0 || !prediction.Converges;
        var trigger = autoConverge && !throttleEarly ? ThrottleTriggerPercentOutrunOnly : ThrottleTriggerPercentDefault;

        var reasons = new List<ParameterChoice>
        {
            new("maxBandwidth", bandwidthReason),
            new("downtimeLimit", DowntimeReason(limits, prediction)),
            new("multifdChannels", tunnel
                ? "0 (multifd off): the tunnel compresses one stream, which fills the link; in one stream QEMU sends zero pages as headers and xbzrle and post-copy stay possible"
                : ChannelsReason(channels, compress, streamsToFill, streamCeiling, usable, link, features, multifdDroppedForPostCopy)),
            new("compression", tunnel
                ? "none in QEMU: the tunnel compresses both streams"
                : CompressionReason(compress, level, usable, canCompress, multifdDroppedForPostCopy)),
            new("xbzrleCacheBytes", xbzrleReason),
            new("autoConverge", AutoConvergeReason(limits, features)),
            new("throttleTriggerPercent", TriggerReason(autoConverge, trigger, prediction)),
            new("postCopy", postCopyReason),
            new("transport", targetDialsOut && tunnel
                ? $"tunnel, zstd level {tunnelLevel}: the target is a client that opens every connection itself (ADR 0020), and only the node tunnel runs that way round"
                : TransportReason(tunnel, tunnelLevel, usable, features, streamsToFill)),
        };

        return new MigrationParameters
        {
            MaxBandwidth = maxBandwidth,
            DowntimeLimit = limits.DowntimeLimit,
            MultifdChannels = channels,
            Compression = compress ? MigrationCompression.Zstd : MigrationCompression.None,
            CompressionLevel = level,
            XbzrleCacheBytes = xbzrleCache,
            AutoConverge = autoConverge,
            ThrottleTriggerPercent = trigger,
            PostCopy = postCopy,
            Transport = tunnel ? MigrationTransport.Tunnel : MigrationTransport.Qemu,
            TunnelCompressionLevel = tunnelLevel,
            Reasons = reasons,
            Prediction = prediction,
        };
    }

    /// <summary>
    /// Decides what to do after one observation of the RAM phase. In order: keep going while QEMU converges in time;
    /// else raise the downtime limit if a pause within the user's maximum finishes it; else let auto-converge throttle;
    /// else switch to post-copy if armed and allowed; else abort — the VM keeps running on the source.
    /// </summary>
    /// <param name="current">The parameters in force (the plan with earlier decisions applied, <see cref="MigrationDecision.ApplyTo"/>).</param>
    /// <param name="limits">The user's limits.</param>
    /// <param name="progress">The latest observation.</param>
    /// <exception cref="ArgumentException">The limits are nonsensical; the message names the field.</exception>
    public static MigrationDecision Decide(MigrationParameters current, MigrationLimits limits, MigrationProgress progress)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(progress);
        MigrationRequestValidator.ThrowIfInvalid(MigrationRequestValidator.ValidateLimits(limits));

        if (progress.PostCopyActive)
        {
            return Continue("post-copy is running: every page left crosses once and the target already runs the guest; there is nothing left to decide");
        }

        if (limits.MaxTotalTime is { } maxTotal && progress.Elapsed >= maxTotal)
        {
            return Abort($"the migration has run {Duration(progress.Elapsed)}, reaching the {Duration(maxTotal)} limit " +
                $"with {Bytes(progress.RemainingBytes)} of RAM left");
        }

        if (progress.Iteration < MinIterationsToJudge)
        {
            return Continue($"first pass: it sends all of RAM ({Bytes(progress.TransferredBytes)} of {Bytes(progress.MemoryBytes)} " +
                "so far), so the dirty rate says nothing yet");
        }

        var rate = (double)progress.TransferRate.BytesPerSecond;
        if (rate <= 0)
        {
            return Continue("no transfer rate measured since the last pass; waiting for the next sample");
        }

        var remaining = (double)progress.RemainingBytes;
        var expected = progress.ExpectedDowntime ?? PreCopyModel.Seconds(remaining / rate);
        if (expected <= current.DowntimeLimit)
        {
            return Continue($"what is left ({Bytes(remaining)}, about {Duration(expected)}) fits in the " +
                $"{Duration(current.DowntimeLimit)} downtime limit: QEMU switches over at the next pass");
        }

        var dirty = (double)progress.DirtyRate.BytesPerSecond;
        var lambda = dirty / rate;
        var rates = $"the guest dirties {MemoryRate(progress.DirtyRate)} while {MemoryRate(progress.TransferRate)} cross (λ = {Ratio(lambda)})";
        string problem;
        if (lambda >= 1)
        {
            problem = $"not converging: {rates}";
        }
        else if (progress.Iteration > PreCopySettings.DefaultMaxIterations)
        {
            problem = $"not converging: {progress.Iteration} passes and still {Bytes(remaining)} left ({rates})";
        }
        else if (progress.TransferredBytes >= (double)MaxTransferFactor * progress.MemoryBytes)
        {
            problem = $"not converging: {Bytes(progress.TransferredBytes)} sent, {MaxTransferFactor}× the guest's RAM, " +
                $"and still {Bytes(remaining)} left ({rates})";
        }
        else
        {
            // Pending shrinks by (rate − dirty) per second until it fits the threshold, then the pause.
            var threshold = rate * current.DowntimeLimit.TotalSeconds;
            var eta = PreCopyModel.Add(PreCopyModel.Seconds(Math.Max(0, remaining - threshold) / (rate - dirty)), current.DowntimeLimit);
            if (limits.MaxTotalTime is not { } limit || PreCopyModel.Add(progress.Elapsed, eta) <= limit)
            {
                return Continue($"converging: {rates}; about {Duration(eta)} left");
            }

            problem = $"too slow: {rates}, so about {Duration(eta)} are left after {Duration(progress.Elapsed)}, past the {Duration(limit)} limit";
        }

        return Escalate(current, limits, progress, problem, expected, remaining / rate);
    }

    /// <summary>
    /// Whether moving a VM from a busy node (the cloud) to a less busy one (a client) pays off: the target must have
    /// room, the move must relieve the source by <see cref="MoveCriteria.MinLoadRelief"/>, the link must be good
    /// enough (bandwidth, RTT), and the model must expect the move to converge within the user's time and downtime.
    /// </summary>
    /// <exception cref="ArgumentException">An input is nonsensical; the message names the field.</exception>
    public static MoveVerdict WorthMoving(
        LinkMeasurement link, VmMigrationProfile vm, NodeLoad source, NodeLoad target, MoveCriteria criteria, MigrationFeatures features)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(criteria);
        MigrationRequestValidator.ThrowIfInvalid([.. ValidateLoad("source", source), .. ValidateLoad("target", target)]);

        var plan = Plan(link, vm, criteria.Limits, features);
        var prediction = plan.Prediction;
        var relief = source.CpuUtilization - target.CpuUtilization;
        var maxDowntime = criteria.Limits.MaxDowntime ?? criteria.Limits.DowntimeLimit;
        string? no = null;
        if (relief < criteria.MinLoadRelief)
        {
            no = $"moving relieves too little: the source is {Percent(source.CpuUtilization)} busy, the target " +
                $"{Percent(target.CpuUtilization)}, less than {Percent(criteria.MinLoadRelief)} apart";
        }
        else if (target.FreeMemoryBytes < vm.MemoryBytes)
        {
            no = $"the target has {Bytes(target.FreeMemoryBytes)} free, the VM needs {Bytes(vm.MemoryBytes)}";
        }
        else if (link.Bandwidth < criteria.MinBandwidth)
        {
            no = $"the link ({link.Bandwidth}) is slower than {criteria.MinBandwidth}";
        }
        else if (link.RoundTripTime > criteria.MaxRoundTripTime)
        {
            no = $"the link's round trip ({Duration(link.RoundTripTime)}) is longer than {Duration(criteria.MaxRoundTripTime)}";
        }
        else if (!prediction.Converges)
        {
            no = $"the migration would not converge: {prediction.NonConvergenceReason}";
        }
        else if (criteria.Limits.MaxTotalTime is { } maxTotal && prediction.TotalTime > maxTotal)
        {
            no = $"it would take about {Duration(prediction.TotalTime)} ({Bytes(prediction.TotalBytes)}), longer than the {Duration(maxTotal)} limit";
        }
        else if (prediction.Downtime > maxDowntime)
        {
            no = $"it would pause the guest about {Duration(prediction.Downtime)}, longer than the {Duration(maxDowntime)} allowed";
        }

        return no is not null
            ? new MoveVerdict(false, no, plan)
            : new MoveVerdict(true,
                $"worth it: relieves the source by {Percent(relief)}; moves {Bytes(prediction.TotalBytes)} in about {Duration(prediction.TotalTime)}" +
                (criteria.Limits.MaxTotalTime is { } within ? $" (limit {Duration(within)})" : "") +
                $", pausing the guest about {Duration(prediction.Downtime)}",
                plan);
    }

    private static MigrationDecision Escalate(
        MigrationParameters current, MigrationLimits limits, MigrationProgress progress, string problem, TimeSpan expected, double postCopySeconds)
    {
        if (limits.MaxDowntime is { } maxDowntime && current.DowntimeLimit < maxDowntime && expected <= maxDowntime)
        {
            var raised = TimeSpan.FromMilliseconds(Math.Ceiling(expected.TotalMilliseconds * DowntimeHeadroom));
            if (raised > maxDowntime)
            {
                raised = maxDowntime;
            }

            return new(MigrationAction.RaiseDowntimeLimit,
                $"{problem}; a pause of about {Duration(expected)} finishes it now, within the user's {Duration(maxDowntime)}: " +
                $"raising downtime-limit from {Duration(current.DowntimeLimit)} to {Duration(raised)}",
                raised);
        }

        if (current.AutoConverge && limits.AllowAutoConverge && progress.ThrottlePercent < MaxThrottlePercent)
        {
            if (progress.ThrottlePercent > 0)
            {
                return Continue($"{problem}; auto-converge throttles the vCPUs at {progress.ThrottlePercent} % and adds 10 points " +
                    $"every second pass over the trigger, up to {MaxThrottlePercent} %: waiting for it");
            }

            // QEMU counts two sync periods over the trigger before it throttles: from the first pass it can judge, or
            // from the pass the policy lowered the trigger at (seen in a bench run: lowered at one pass, aborted at the next).
            var graceFrom = Math.Max(MinIterationsToJudge, current.ThrottleTriggerLoweredAtPass ?? 0);
            if (progress.DirtyRate.BytesPerSecond * 100.0 > current.ThrottleTriggerPercent * (double)progress.TransferRate.BytesPerSecond
                && progress.Iteration < graceFrom + ThrottleGracePasses)
            {
                return Continue($"{problem}; the guest dirties more than the {current.ThrottleTriggerPercent} % trigger, " +
                    $"so auto-converge starts throttling within {ThrottleGracePasses} passes" +
                    (current.ThrottleTriggerLoweredAtPass is { } lowered ? $" of pass {lowered}, when the trigger was lowered" : "") + ": waiting for it");
            }

            // Lowering the trigger only helps a guest that dirties more than the new trigger lets pass.
            if (current.ThrottleTriggerPercent > ThrottleTriggerPercentDefault
                && progress.DirtyRate.BytesPerSecond * 100.0 > ThrottleTriggerPercentDefault * (double)progress.TransferRate.BytesPerSecond)
            {
                return new(MigrationAction.Throttle,
                    $"{problem}; lowering throttle-trigger-threshold from {current.ThrottleTriggerPercent} % to {ThrottleTriggerPercentDefault} % " +
                    "so auto-converge slows the guest's vCPUs (20 % first, +10 points every second pass over the trigger) until its dirty rate fits the link",
                    AtPass: progress.Iteration);
            }
        }

        var postCopyTime = PreCopyModel.Seconds(postCopySeconds);
        if (current.PostCopy && limits.AllowPostCopy)
        {
            if (limits.MaxTotalTime is { } maxTotal && PreCopyModel.Add(progress.Elapsed, postCopyTime) > maxTotal)
            {
                return Abort($"{problem}; even post-copy would need about {Duration(postCopyTime)} for the " +
                    $"{Bytes(progress.RemainingBytes)} left, past the {Duration(maxTotal)} limit");
            }

            return new(MigrationAction.SwitchToPostCopy,
                $"{problem}; switching to post-copy, which sends the {Bytes(progress.RemainingBytes)} left once (about {Duration(postCopyTime)})",
                Risk: PostCopyRisk);
        }

        var noWayOut = new List<string>();
        if (limits.MaxDowntime is { } max && expected > max)
        {
            noWayOut.Add($"a pause of about {Duration(expected)} would exceed the user's {Duration(max)}");
        }
        else if (limits.MaxDowntime is null)
        {
            noWayOut.Add("the downtime limit may not be raised (no maxDowntime)");
        }

        if (!(current.AutoConverge && limits.AllowAutoConverge))
        {
            noWayOut.Add("throttling is off");
        }
        else if (progress.ThrottlePercent >= MaxThrottlePercent)
        {
            noWayOut.Add($"auto-converge already throttles at {progress.ThrottlePercent} %");
        }
        else if (progress.DirtyRate.BytesPerSecond * 100.0 <= current.ThrottleTriggerPercent * (double)progress.TransferRate.BytesPerSecond)
        {
            noWayOut.Add("the guest dirties too little for auto-converge to throttle it");
        }
        else
        {
            noWayOut.Add("auto-converge has not started throttling");
        }

        noWayOut.Add(!limits.AllowPostCopy ? "post-copy is not allowed" : "post-copy was not armed (see the plan's postCopy reason)");
        return Abort($"{problem}; {string.Join(", ", noWayOut)}");
    }

    private static (DataRate Value, string Reason) ChooseMaxBandwidth(LinkMeasurement link, MigrationLimits limits)
    {
        if (limits.MaxBandwidth is { } cap)
        {
            return (cap, cap > link.Bandwidth
                ? $"{cap}: the user's cap; the link measured {link.Bandwidth}, so the link is the limit"
                : $"{cap}: the user's cap, leaving the rest of the {link.Bandwidth} link to other traffic");
        }

        var value = new DataRate((long)(link.Bandwidth.BytesPerSecond * BandwidthHeadroom));
        return (value, $"{value}: the measured {link.Bandwidth} plus 25 % so a low measurement does not throttle the stream " +
            "(QEMU's default of 128 MiB/s would hold a 10 Gbit/s link to about 1.07 Gbit/s, row 19)");
    }

    private static (bool Armed, string Reason) ChoosePostCopy(LinkMeasurement link, MigrationLimits limits, MigrationFeatures features)
    {
        if (!limits.AllowPostCopy)
        {
            return (false, "off: the user did not allow it (a post-copy failure loses the VM)");
        }

        if (!features.HasFlag(MigrationFeatures.PostCopy))
        {
            return (false, "off: this QEMU build cannot do post-copy");
        }

        if (link.RoundTripTime > PostCopyMaxRoundTrip || link.LossRatio > 0)
        {
            return (false, $"off although allowed: on this link (RTT {Duration(link.RoundTripTime)}, loss {Percent(link.LossRatio)}) every page " +
                "the guest touches on the target waits a round trip, and a link failure during post-copy loses the VM; " +
                $"post-copy is kept to LAN moves (RTT ≤ {Duration(PostCopyMaxRoundTrip)}, no loss)");
        }

        return (true, "armed: allowed by the user and the link is a LAN; used only if pre-copy does not converge — " + PostCopyRisk);
    }

    private static long ChooseXbzrleCache(
        VmMigrationProfile vm, MigrationFeatures features, int channels, MigrationPrediction prediction, out string reason)
    {
        if (!features.HasFlag(MigrationFeatures.Xbzrle))
        {
            reason = "off: this QEMU build has no xbzrle";
            return 0;
        }

        if (channels > 0)
        {
            reason = "off: QEMU refuses xbzrle together with multifd";
            return 0;
        }

        if (prediction.Rounds == 0)
        {
            reason = "off: all of RAM fits in the downtime limit at once, so no page is sent twice";
            return 0;
        }

        if (prediction.DirtyRatio < XbzrleMinDirtyRatio)
        {
            reason = $"off: the guest dirties little (λ = {Ratio(prediction.DirtyRatio)} < {Ratio(XbzrleMinDirtyRatio)}), so few pages are sent twice";
            return 0;
        }

        // The pages dirtied during the first pass are the ones sent again; the cache should hold them. QEMU rounds the
        // cache down to a power-of-two number of pages, so ask for a power of two. At most a quarter of the guest's RAM:
        // the cache lives on the source, next to the guest.
        var firstPassSeconds = prediction.RoundBytes[0] / (double)prediction.RamRate.BytesPerSecond;
        var needed = (long)Math.Min(vm.DirtyRate.BytesPerSecond * firstPassSeconds, vm.MemoryBytes);
        var upper = 1L << BitOperations.Log2((ulong)Math.Max(vm.MemoryBytes / 4, 4096));
        var lower = Math.Min(XbzrleMinCacheBytes, upper);
        var cache = Math.Clamp((long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(needed, 1)), lower, upper);
        reason = $"{Bytes(cache)}: the guest dirties about {Bytes(needed)} during the first pass (λ = {Ratio(prediction.DirtyRatio)}), " +
            "pages xbzrle can send again as deltas (it let a migration finish that would not otherwise, rows 24–25); " +
            $"a power of two between {Bytes(lower)} and a quarter of RAM";
        return cache;
    }

    private static string DowntimeReason(MigrationLimits limits, MigrationPrediction prediction)
    {
        var text = $"{Duration(limits.DowntimeLimit)}: the user's limit" +
            (limits.DowntimeLimit == MigrationLimits.DefaultDowntimeLimit ? " (QEMU's default, row 19)" : "") +
            (limits.MaxDowntime is { } max ? $"; raised up to {Duration(max)} if pre-copy does not converge" : "; never raised (no maxDowntime)");
        return prediction.Converges ? text : $"{text}; the model expects no convergence at it: {prediction.NonConvergenceReason}";
    }

    private static string ChannelsReason(
        int channels, bool compress, int streamsToFill, DataRate streamCeiling, DataRate usable, LinkMeasurement link,
        MigrationFeatures features, bool droppedForPostCopy)
    {
        if (droppedForPostCopy)
        {
            return "0 (multifd off): this QEMU cannot combine multifd with post-copy, which the user allowed as the way out of a non-converging pre-copy";
        }

        if (!features.HasFlag(MigrationFeatures.Multifd))
        {
            return "0 (multifd off): this QEMU build has no multifd";
        }

        if (channels == 0)
        {
            return $"0 (multifd off): one stream fills the {usable} link (up to {streamCeiling} each), and without multifd xbzrle and post-copy stay possible";
        }

        var lossy = streamsToFill <= 1
            ? $"one stream alone would fill the {usable} link"
            : link.LossRatio > 0 && streamCeiling < PreCopyModel.StreamCpuCeiling
            ? $"one TCP stream carries at most {streamCeiling} at RTT {Duration(link.RoundTripTime)} and " +
              $"{Percent(link.LossRatio)} loss (Mathis), so {streamsToFill} fill the {usable} link"
            : $"one stream carries at most {streamCeiling} (the CPU that feeds it, row 29), so {streamsToFill} fill the {usable} link";
        var capped = streamsToFill > MaxMultifdChannels ? $"; capped at {MaxMultifdChannels}: 16 connections were slower than 8 (row 29)" : "";
        var why = compress ? $"zstd compresses in multifd channels (at least {MinMultifdChannels}, QEMU's default); {lossy}" : lossy;
        return $"{channels}: {why}{capped}";
    }

    private static string CompressionReason(bool compress, int level, DataRate usable, bool canCompress, bool droppedForPostCopy)
    {
        if (compress)
        {
            return level == ZstdLevelSlowLink
                ? $"zstd level {level}: the {usable} link is the bottleneck many times over, so zstd's own default level buys ratio for idle CPU"
                : $"zstd level {level} (QEMU's default): the {usable} link is slower than one core compresses (about 1.2 GB/s, row 23)";
        }

        if (droppedForPostCopy)
        {
            return "none: zstd needs multifd, which post-copy excludes in this QEMU";
        }

        return usable >= CompressBelow
            ? $"none: on a {usable} link compression costs more CPU than it saves (rows 23, 30)"
            : !canCompress ? "none: this QEMU build has no multifd zstd" : "none";
    }

    private static string TransportReason(bool tunnel, int level, DataRate usable, MigrationFeatures features, int streamsToFill)
    {
        if (tunnel)
        {
            return $"tunnel, zstd level {level}: on the {usable} link the bytes, not the CPU, set the time, and only the tunnel " +
                "compresses the disk as well (NBD has no compression, and QEMU's TLS stream cannot be compressed after it)";
        }

        return !features.HasFlag(MigrationFeatures.Tunnel) ? "qemu: a node has no migration tunnel"
            : usable >= CompressBelow ? $"qemu: on a {usable} link compression costs more CPU than it saves (rows 23, 30)"
            : streamsToFill > 1 ? $"qemu: one stream cannot fill the {usable} link, so RAM needs multifd's parallel streams"
            : "qemu";
    }

    private static string AutoConvergeReason(MigrationLimits limits, MigrationFeatures features) =>
        !limits.AllowAutoConverge ? "off: the user does not allow throttling the guest"
        : !features.HasFlag(MigrationFeatures.AutoConverge) ? "off: this QEMU build has no auto-converge"
        : "on: QEMU throttles the guest's vCPUs only past the trigger threshold, so a calm guest is not slowed; " +
          "armed now because capabilities cannot change once the migration runs";

    private static string TriggerReason(bool autoConverge, int trigger, MigrationPrediction prediction)
    {
        if (!autoConverge)
        {
            return $"{trigger} % (QEMU's default; inert without auto-converge)";
        }

        return trigger == ThrottleTriggerPercentDefault
            ? $"{trigger} % (QEMU's default): the model expects λ = {Ratio(prediction.DirtyRatio)}" +
              (prediction.Converges ? ", enough for QEMU to throttle early" : ", so pre-copy needs throttling to converge")
            : $"{trigger} %: the model expects λ = {Ratio(prediction.DirtyRatio)}, so QEMU throttles only a guest that outruns the link; " +
              "the policy lowers it to 50 % if the migration drags";
    }

    private static IEnumerable<Rooms.ValidationError> ValidateLoad(string field, NodeLoad load)
    {
        if (!(load.CpuUtilization is >= 0 and <= 1))
        {
            yield return new($"{field}.cpuUtilization", $"must be a fraction from 0 to 1 (got {load.CpuUtilization})");
        }

        if (load.FreeMemoryBytes < 0)
        {
            yield return new($"{field}.freeMemoryBytes", $"must not be negative (got {load.FreeMemoryBytes})");
        }
    }

    private static MigrationDecision Continue(string reason) => new(MigrationAction.Continue, reason);

    private static MigrationDecision Abort(string reason) =>
        new(MigrationAction.Abort, $"{reason}; aborting, the VM keeps running on the source");
}
