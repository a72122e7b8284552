namespace SkillVL.Server.Data;

/// <summary>
/// One migration of a machine to another node: the request, what the policy chose, where it is, and what it measured.
/// At most one per machine is pending or running (a filtered unique index).
/// </summary>
public sealed class MigrationEntity
{
    public required string Id { get; set; }

    public required string MachineId { get; set; }

    public required string MachineName { get; set; }

    public required string RoomId { get; set; }

    public required string RoomName { get; set; }

    /// <summary>The room's owner and course, so the same people who see the room see its migrations (kept after the room is gone).</summary>
    public required string OwnerId { get; set; }

    public string? CourseId { get; set; }

    public required string SourceNode { get; set; }

    public required string TargetNode { get; set; }

    /// <summary>"live" or "offline".</summary>
    public required string Mode { get; set; }

    /// <summary>Core.Api.Migrations.MigrationStates.</summary>
    public required string State { get; set; }

    /// <summary>Core.Api.Migrations.MigrationPhases.</summary>
    public required string Phase { get; set; }

    /// <summary>The user's limits (MigrationLimits, JSON).</summary>
    public required string LimitsJson { get; set; }

    /// <summary>"overlay", "full", or "incremental" (a check-in: the target's disk is the retained copy).</summary>
    public required string DiskTransfer { get; set; }

    /// <summary>Null for a plain move; "checkout" or "checkin" (ADR 0023): the runner's finish then tracks writes on the
    /// client and keeps the source's disk, or returns onto the retained copy and ends the check-out.</summary>
    public string? Purpose { get; set; }

    /// <summary>"policy" or "qemu-defaults".</summary>
    public required string Tuning { get; set; }

    public bool Tls { get; set; }

    /// <summary>The link the plan used (LinkMeasurement, JSON) and where it came from.</summary>
    public string? LinkJson { get; set; }

    public string? LinkSource { get; set; }

    /// <summary>The parameters in force (MigrationParameters with reasons and prediction, JSON); null before prepare.</summary>
    public string? ParametersJson { get; set; }

    public long BytesDone { get; set; }

    public long BytesTotal { get; set; }

    public double RateBitsPerSecond { get; set; }

    public double? EtaSeconds { get; set; }

    public double? TotalTimeMs { get; set; }

    public double? DowntimeMs { get; set; }

    public double? ProbeDowntimeMs { get; set; }

    public long? RamBytes { get; set; }

    public long? DiskBytes { get; set; }

    public long? BaseBytes { get; set; }

    public double? AverageThroughputBitsPerSecond { get; set; }

    public string? Error { get; set; }

    /// <summary>Set by a cancel request; the runner sees it at its next step.</summary>
    public bool CancelRequested { get; set; }

    public string? RequestedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public List<MigrationLogEntity> Log { get; set; } = [];
}
