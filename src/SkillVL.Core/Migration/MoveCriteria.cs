namespace SkillVL.Core.Migration;

/// <summary>When a cloud → client move pays off (<see cref="MigrationPolicy.WorthMoving"/>).</summary>
public sealed record MoveCriteria
{
    /// <summary>The user's limits; the move must finish within <see cref="MigrationLimits.MaxTotalTime"/> and pause the
    /// guest at most <see cref="MigrationLimits.MaxDowntime"/> (or <see cref="MigrationLimits.DowntimeLimit"/>).</summary>
    public MigrationLimits Limits { get; init; } = new();

    /// <summary>
    /// The slowest link worth moving over: 20 Mbit/s, the research's "home uplink" column (migration-anchors.md §6);
    /// agile VM handoff worked at 5–25 Mbit/s, but only by shrinking the bytes far beyond what QEMU does (row 17).
    /// </summary>
    public DataRate MinBandwidth { get; init; } = DataRate.FromMegabitsPerSecond(20);

    /// <summary>The longest round trip worth moving over: 150 ms, the most VMware supports for long-distance vMotion (row 9).</summary>
    public TimeSpan MaxRoundTripTime { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// How much less busy the target must be than the source (CPU utilisation, 0–1) for the move to relieve
    /// anything: 0.2 = twenty percentage points, our choice, so two similarly loaded nodes do not trade VMs back and forth.
    /// </summary>
    public double MinLoadRelief { get; init; } = 0.2;
}
