namespace SkillVL.Core.Migration;

/// <summary>
/// The knobs of one <see cref="PreCopyModel"/> run: what the migration is allowed to use and when it stops.
/// The defaults reproduce QEMU's behaviour; the research's worked tables (migration-anchors.md §6) are the model
/// with <see cref="Efficiency"/> = 1 and <see cref="ResumeTime"/> = 0.
/// </summary>
public sealed record PreCopySettings
{
    /// <summary>
    /// Goodput of TCP over IPv4 at MTU 1500 with timestamps: 1448 payload bytes in a 1514-byte frame ≈ 0.956, rounded
    /// down for the migration stream's own headers. A measured bandwidth that is already TCP goodput should use 1.
    /// </summary>
    public const double DefaultEfficiency = 0.95;

    /// <summary>
    /// No iteration cap in QEMU; Xen stops after 29 (DEF_MAX_ITERS) and the research's table reports 30 rounds as
    /// "effectively non-convergent" (migration-anchors.md §1 row 34, §6).
    /// </summary>
    public const int DefaultMaxIterations = 30;

    /// <summary>
    /// Fixed cost of a switch-over besides the last dirty pages: device state and resume on the target. An idle
    /// 8 GiB guest on 10 GbE (final dirty set: a few ms) paused 26 ms (migration-anchors.md §1 row 31).
    /// </summary>
    public static readonly TimeSpan DefaultResumeTime = TimeSpan.FromMilliseconds(25);

    /// <summary>QEMU's <c>max-bandwidth</c> (and the mirror's <c>speed</c>); null = the link's rate.</summary>
    public DataRate? BandwidthCap { get; init; }

    /// <summary>QEMU's <c>downtime-limit</c>: switch over when what is left fits in it at the measured rate.</summary>
    public TimeSpan DowntimeLimit { get; init; } = MigrationLimits.DefaultDowntimeLimit;

    /// <summary>Multifd channels for RAM; 0 = multifd off (one main stream).</summary>
    public int MultifdChannels { get; init; }

    /// <summary>Whether RAM is compressed (multifd zstd); then <see cref="VmMigrationProfile.CompressionRatio"/>
    /// applies to RAM bytes. Disk bytes (NBD) are never compressed.</summary>
    public bool Compression { get; init; }

    /// <summary>Pre-copy rounds after which the model gives up (reports no convergence).</summary>
    public int MaxIterations { get; init; } = DefaultMaxIterations;

    /// <summary>Fraction of the link's bandwidth that carries payload, 0 &lt; e ≤ 1.</summary>
    public double Efficiency { get; init; } = DefaultEfficiency;

    /// <summary>See <see cref="DefaultResumeTime"/>.</summary>
    public TimeSpan ResumeTime { get; init; } = DefaultResumeTime;
}
