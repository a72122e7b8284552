namespace SkillVL.Core.Migration;

/// <summary>
/// The QEMU migration parameters for one migration, as <see cref="MigrationPolicy.Plan"/> chose them, with the
/// reason for each and the model's forecast for them. The engine applies them before <c>migrate</c> (capabilities
/// cannot change once it runs) and feeds the current ones back into <see cref="MigrationPolicy.Decide"/>.
/// </summary>
public sealed record MigrationParameters
{
    /// <summary>QEMU's <c>max-bandwidth</c> (and the disk mirror's <c>speed</c>).</summary>
    public required DataRate MaxBandwidth { get; init; }

    /// <summary>QEMU's <c>downtime-limit</c>; <see cref="MigrationPolicy.Decide"/> may raise it.</summary>
    public required TimeSpan DowntimeLimit { get; init; }

    /// <summary>QEMU's <c>multifd-channels</c>; 0 = the <c>multifd</c> capability off (one stream).</summary>
    public required int MultifdChannels { get; init; }

    /// <summary>QEMU's <c>multifd-compression</c>.</summary>
    public required MigrationCompression Compression { get; init; }

    /// <summary>QEMU's <c>multifd-zstd-level</c>; 0 when <see cref="Compression"/> is None.</summary>
    public required int CompressionLevel { get; init; }

    /// <summary>QEMU's <c>xbzrle-cache-size</c>; 0 = the <c>xbzrle</c> capability off.</summary>
    public required long XbzrleCacheBytes { get; init; }

    /// <summary>The <c>auto-converge</c> capability.</summary>
    public required bool AutoConverge { get; init; }

    /// <summary>
    /// QEMU's <c>throttle-trigger-threshold</c> (1–100): auto-converge throttles the guest when it dirtied more than
    /// this percentage of what was sent in a period. 50 is QEMU's default; 100 throttles only a guest that outruns
    /// the link. It can change while the migration runs, which is how <see cref="MigrationAction.Throttle"/> works.
    /// </summary>
    public required int ThrottleTriggerPercent { get; init; }

    /// <summary>The pass (<see cref="MigrationProgress.Iteration"/>) at which the policy lowered
    /// <see cref="ThrottleTriggerPercent"/> (<see cref="MigrationAction.Throttle"/>); null when it has not. QEMU needs two
    /// periods over the new trigger before it throttles, so the policy waits from here, not from the first pass.</summary>
    public int? ThrottleTriggerLoweredAtPass { get; init; }

    /// <summary>The <c>postcopy-ram</c> capability: armed so that <see cref="MigrationAction.SwitchToPostCopy"/> can
    /// call <c>migrate-start-postcopy</c>; the migration starts as pre-copy either way.</summary>
    public required bool PostCopy { get; init; }

    /// <summary>How the streams cross: QEMU's own sockets (and TLS) or the nodes' compressing tunnel.</summary>
    public MigrationTransport Transport { get; init; } = MigrationTransport.Qemu;

    /// <summary>The tunnel's zstd level for both streams (disk and RAM); 0 when <see cref="Transport"/> is
    /// <see cref="MigrationTransport.Qemu"/>.</summary>
    public int TunnelCompressionLevel { get; init; }

    /// <summary>Why each parameter has its value, in the order above.</summary>
    public required IReadOnlyList<ParameterChoice> Reasons { get; init; }

    /// <summary>What <see cref="PreCopyModel"/> expects with these parameters.</summary>
    public required MigrationPrediction Prediction { get; init; }

    /// <summary>Whether xbzrle is on.</summary>
    public bool Xbzrle => XbzrleCacheBytes > 0;
}
