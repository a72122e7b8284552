namespace SkillVL.Core.Api.Migrations;

/// <summary>
/// <c>POST /api/v1/migrations</c>: move a machine to another node. Rates and durations are text, as people write them
/// ("50Mbit", "100MiB/s", "300ms", "2s"); the Server parses them and answers 400 naming the field it cannot read.
/// </summary>
/// <param name="Machine">The machine's id, or "room/machine" (the room by id, or by name among the caller's own).</param>
/// <param name="To">The target node's name.</param>
/// <param name="Mode">"live" (default) or "offline".</param>
/// <param name="MaxBandwidth">Most the migration may take of the link; null: no cap.</param>
/// <param name="DowntimeLimit">The pause the guest should see at switch-over; default 300 ms (QEMU's).</param>
/// <param name="MaxDowntime">The longest pause accepted when pre-copy does not converge; null: never raise the limit.</param>
/// <param name="MaxTotalTime">Abort when the migration has not switched over after this long; null: no limit.</param>
/// <param name="AllowPostCopy">Whether the policy may switch to post-copy (a failure then loses the VM).</param>
/// <param name="DiskTransfer">"overlay" (default: only the VM's own overlay; the target gets the template) or "full".</param>
/// <param name="Tuning">"policy" (default: MigrationPolicy chooses) or "qemu-defaults" (baseline: QEMU's defaults).</param>
/// <param name="Link">The link between the nodes as measured elsewhere (tests, benchmarks); null: the nodes' link probe
/// measures it just before the move (the configured figure for the target node if that fails; see MigrationOptions).</param>
/// <param name="ProbeDowntimeMs">A service gap measured elsewhere during the migration (a benchmark's own probe), stored
/// with the metrics instead of the platform's; null: the Server's peer probe measures it when the room has a running
/// peer sharing a network with the machine (see MigrationOptions.PeerProbe).</param>
public sealed record CreateMigrationRequest(
    string? Machine,
    string? To,
    string? Mode = null,
    string? MaxBandwidth = null,
    string? DowntimeLimit = null,
    string? MaxDowntime = null,
    string? MaxTotalTime = null,
    bool? AllowPostCopy = null,
    string? DiskTransfer = null,
    string? Tuning = null,
    MigrationLinkOverride? Link = null,
    double? ProbeDowntimeMs = null);
