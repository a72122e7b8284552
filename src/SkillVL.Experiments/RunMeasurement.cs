namespace SkillVL.Experiments;

/// <summary>
/// What one run measured. Times and bytes are null when the source did not report them (a failed move, no probe).
/// </summary>
/// <param name="Outcome">The migration's final state: "succeeded", "failed", "cancelled".</param>
/// <param name="TotalSeconds">From the request to the guest running on the target (the migration's total time).</param>
/// <param name="DowntimeQemuMs">The pause QEMU reported.</param>
/// <param name="DowntimeProbeMs">The gap a peer's probe saw in the guest's answers, when one ran.</param>
/// <param name="LinkBytes">Bytes through the client link's tap, both directions, during the move.</param>
/// <param name="RamBytes">RAM bytes QEMU sent.</param>
/// <param name="DiskBytes">Disk bytes the mirror sent.</param>
/// <param name="TemplateBytes">Template bytes fetched by the target (0 when it had them).</param>
/// <param name="Error">Why the run did not succeed.</param>
public sealed record RunMeasurement(
    string Outcome,
    double? TotalSeconds,
    double? DowntimeQemuMs,
    double? DowntimeProbeMs,
    long? LinkBytes,
    long? RamBytes,
    long? DiskBytes,
    long? TemplateBytes,
    string? Error)
{
    public const string Succeeded = "succeeded";

    /// <summary>The service workload's latency (<c>workload: service</c>); null for other workloads.</summary>
    public ServiceLatency? Service { get; init; }

    /// <summary>The service workload's requests, which the runner keeps beside results.csv (<see cref="ServiceTrace"/>);
    /// not a column, so null in a row read back.</summary>
    public ServiceTrace? Trace { get; init; }

    /// <summary>The link the Server's plan used for the (first) move: its probe's measurement just before it, or the
    /// figure the request gave (the baseline). On a testbed it should be the emulated link; on existing nodes
    /// (<c>where: nodes</c>) it is the only figure of the real link. Null when the Server reported none.</summary>
    public MeasuredLink? Link { get; init; }

    /// <summary>Bits per second on the link over the whole move.</summary>
    public double? ThroughputMbit => LinkBytes is { } bytes && TotalSeconds is > 0 and var seconds ? bytes * 8 / seconds / 1e6 : null;
}
