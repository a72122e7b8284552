namespace SkillVL.Core.Migration;

/// <summary>The user's limits for one migration (API/CLI: <c>--max-bandwidth</c>, <c>--downtime-limit</c>, …).</summary>
public sealed record MigrationLimits
{
    /// <summary>QEMU's default downtime limit, 300 ms (migration/options.c; migration-anchors.md §1 row 19).</summary>
    public static readonly TimeSpan DefaultDowntimeLimit = TimeSpan.FromMilliseconds(300);

    /// <summary>Most bandwidth the migration may take, so other traffic on the link keeps room; null = no cap.</summary>
    public DataRate? MaxBandwidth { get; init; }

    /// <summary>The pause the guest should see at switch-over; QEMU switches when what is left fits in it.</summary>
    public TimeSpan DowntimeLimit { get; init; } = DefaultDowntimeLimit;

    /// <summary>The longest pause the user accepts when the migration does not converge at
    /// <see cref="DowntimeLimit"/>; the policy may raise the limit up to this. Null = never raise.</summary>
    public TimeSpan? MaxDowntime { get; init; }

    /// <summary>How long the whole migration may take, from start to switch-over; null = no limit.</summary>
    public TimeSpan? MaxTotalTime { get; init; }

    /// <summary>
    /// Whether the policy may switch to post-copy when pre-copy does not converge. Off by default: once the guest
    /// runs on the target with part of its memory still on the source, a failure of either node or of the link
    /// loses the VM (migration-anchors.md §3).
    /// </summary>
    public bool AllowPostCopy { get; init; }

    /// <summary>Whether QEMU may throttle the guest's vCPUs (auto-converge) so that pre-copy converges.</summary>
    public bool AllowAutoConverge { get; init; } = true;
}
