using System.Text.Json;

namespace SkillVL.Core.Api.Migrations;

/// <summary>A migration as the API shows it.</summary>
/// <param name="Mode">"live" or "offline".</param>
/// <param name="State">See <see cref="MigrationStates"/>.</param>
/// <param name="Phase">See <see cref="MigrationPhases"/>; the phase it ended in once final.</param>
/// <param name="Parameters">The QEMU parameters in force (MigrationParameters, with a reason for each); null before prepare.</param>
/// <param name="Prediction">What the model expected with them; null before prepare.</param>
/// <param name="Link">The link the plan used, and where that figure came from.</param>
/// <param name="Options">The request's choices: limits, disk transfer, tuning, TLS.</param>
/// <param name="Error">Why it failed or was cancelled; on a succeeded one, a note on what it could not do.</param>
/// <param name="Purpose">Null for a plain move; "checkout" or "checkin" (ADR 0023). A check-out whose retained copy could
/// not be kept stays "checkout" but succeeds as a plain move, and <paramref name="Error"/> says why no check-out was
/// recorded.</param>
public sealed record MigrationInfo(
    string Id,
    MigrationMachineRef Machine,
    string From,
    string To,
    string Mode,
    string State,
    string Phase,
    MigrationProgressInfo Progress,
    JsonElement? Parameters,
    JsonElement? Prediction,
    MigrationLinkInfo? Link,
    MigrationOptionsInfo Options,
    MigrationMetrics Metrics,
    string? Error,
    string? RequestedBy,
    IReadOnlyList<TaskLogLine> Log,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    // Last and optional: the record's positional uses (tests, other slices) stay as they were.
    string? Purpose = null);

/// <summary>The migrated machine.</summary>
public sealed record MigrationMachineRef(string Id, string Room, string Name);

/// <summary>Where the current phase is: bytes of the disk (transfer-disk) or of RAM (live-copy-ram).</summary>
/// <param name="EtaSeconds">Time left in the phase at the current rate; null when unknown.</param>
public sealed record MigrationProgressInfo(string Phase, long BytesDone, long BytesTotal, double RateBitsPerSecond, double? EtaSeconds);

/// <summary>What was measured once it ended (null: not reached or not measured).</summary>
/// <param name="DowntimeMs">QEMU's measured downtime.</param>
/// <param name="ProbeDowntimeMs">The service gap a peer saw: the longest run of missing replies in a 10 ms ping from another
/// running machine of the room, through the switch-over (or the figure the request brought).</param>
/// <param name="BaseBytes">Bytes the target fetched for the template first, as they crossed (zstd-compressed); 0: it had the template.</param>
public sealed record MigrationMetrics(
    double? TotalTimeMs,
    double? DowntimeMs,
    double? ProbeDowntimeMs,
    long? RamBytes,
    long? DiskBytes,
    long? BaseBytes,
    double? AverageThroughputBitsPerSecond);

/// <summary>The link figure the plan used.</summary>
/// <param name="Source">"request" (given with the request), "measured" (the nodes' link probe just before the move),
/// "configured" (SkillVL:Migration:Links:&lt;node&gt;) or "default" (SkillVL:Migration:DefaultLink); the latter two
/// only when the probe failed or is off.</param>
public sealed record MigrationLinkInfo(double BandwidthBitsPerSecond, double RttMs, double Loss, string Source);

/// <summary>The request's choices as the Server understood them.</summary>
public sealed record MigrationOptionsInfo(
    double? MaxBandwidthBitsPerSecond,
    double DowntimeLimitMs,
    double? MaxDowntimeMs,
    double? MaxTotalTimeSeconds,
    bool AllowPostCopy,
    string DiskTransfer,
    string Tuning,
    bool Tls);
