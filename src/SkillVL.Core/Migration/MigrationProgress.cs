namespace SkillVL.Core.Migration;

/// <summary>
/// One observation of a running RAM phase, mapped by the engine from QMP <c>query-migrate</c>.
/// </summary>
public sealed record MigrationProgress
{
    /// <summary>Completed dirty-bitmap syncs, i.e. pre-copy passes started (<c>ram.dirty-sync-count</c>); 1 during the first pass.</summary>
    public required int Iteration { get; init; }

    /// <summary>Guest RAM (<c>ram.total</c>).</summary>
    public required long MemoryBytes { get; init; }

    /// <summary>RAM still to send (<c>ram.remaining</c>).</summary>
    public required long RemainingBytes { get; init; }

    /// <summary>RAM bytes sent so far (<c>ram.transferred</c>).</summary>
    public required long TransferredBytes { get; init; }

    /// <summary>Measured transfer rate (<c>ram.mbps</c>).</summary>
    public required DataRate TransferRate { get; init; }

    /// <summary>Measured dirty rate (<c>ram.dirty-pages-rate</c> × <c>ram.page-size</c>).</summary>
    public required DataRate DirtyRate { get; init; }

    /// <summary>Time since the migration started (all phases, as <see cref="MigrationLimits.MaxTotalTime"/> counts it).</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>QEMU's estimate of the pause if it switched now (<c>expected-downtime</c>); null = remaining / rate.</summary>
    public TimeSpan? ExpectedDowntime { get; init; }

    /// <summary>How hard auto-converge throttles the vCPUs now (<c>cpu-throttle-percentage</c>), 0–99.</summary>
    public int ThrottlePercent { get; init; }

    /// <summary>Whether the migration already switched to post-copy (status <c>postcopy-active</c>).</summary>
    public bool PostCopyActive { get; init; }
}
