namespace SkillVL.Server.Migrations;

/// <summary>
/// Settings of the migration engine (section "SkillVL:Migration").
/// </summary>
public sealed class MigrationOptions
{
    /// <summary>
    /// Encrypt and authenticate the migration stream and NBD with the nodes' platform certificates (QEMU TLS files in
    /// &lt;node data dir&gt;/tls/). Default true; the node's driver fails the prepare clearly when the files are missing.
    /// Set false only on a trusted underlay (a testbed on one machine).
    /// </summary>
    public bool Tls { get; set; } = true;

    /// <summary>
    /// Measure the link between the two nodes before each migration (RTT and bandwidth, at most 2 s of traffic from the
    /// source to a short-lived endpoint of the target). Default true. A request's <c>link</c> skips the probe; when the
    /// probe is off or fails, the plan uses <see cref="Links"/> or <see cref="DefaultLink"/>.
    /// </summary>
    public bool ProbeLink { get; set; } = true;

    /// <summary>
    /// The link the plan assumes to a target node when the probe fails or is off (<see cref="ProbeLink"/>) and
    /// <see cref="Links"/> names none: default 1 Gbit/s, 1 ms, no loss — a LAN. A request's <c>link</c> overrides it.
    /// </summary>
    public MigrationLinkSetting DefaultLink { get; set; } = new();

    /// <summary>The link to particular target nodes, by node name (e.g. a client behind a 50 Mbit/s uplink), used when the
    /// probe fails or is off.</summary>
    public Dictionary<string, MigrationLinkSetting> Links { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long the source samples the guest's page-dirty rate before the plan (QEMU's <c>calc-dirty-rate</c>, whole
    /// seconds, 1–60). Default 1 s: about one pre-copy pass on a fast link, and the least QEMU 7.2 takes; the prepare
    /// phase waits for it.
    /// </summary>
    public TimeSpan DirtyRateSample { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Measure the service gap from a peer (issue 6 §7): another running machine of the room that shares a network with
    /// the mover pings it every 10 ms through its guest agent from the RAM phase until after the switch-over; the longest
    /// run of missing replies is stored as the migration's probe downtime. Default true; skipped when the room has no such
    /// peer or the request brings its own <c>probeDowntimeMs</c>.
    /// </summary>
    public bool PeerProbe { get; set; } = true;

    /// <summary>How long after the guest resumed on the target the peer probe keeps pinging before it is read (the
    /// room's network has to follow the guest). Default 2 s.</summary>
    public TimeSpan PeerProbeSettle { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the engine asks the source where the migration is. Default 200 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long the disk or RAM copy may make no progress (no byte moved) before the engine gives up and cancels: a cut
    /// link or a frozen target shows no error at once (TCP retries for ~15 min), only silence. Default 20 s.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// After the switch-over of a live move, how long the guest on the target has to answer its guest agent before the move
    /// is taken back: the target's copy is removed and the guest, still paused on the source with its memory and disk as
    /// they were at the switch-over, runs there again. Only for guests whose agent answered before the move. A resumed QEMU
    /// is not yet a working guest: on QEMU 7.2 with TCG some moves leave the guest's kernel crashed or hung on the target
    /// (ADR 0012). Default 20 s; 0 turns the check off.
    /// </summary>
    public TimeSpan GuestCheckTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Before the RAM phase of a check-in, the guest drops its clean page cache and zeroes its free RAM through its agent
    /// (<see cref="GuestRamReclaim"/>, ADR 0032), so that the RAM crossing the student's link is what the guest holds, not
    /// what it once held. Default true.
    /// </summary>
    public bool ReclaimGuestRamOnCheckin { get; set; } = true;

    /// <summary>The same before every other live move (check-outs and plain moves). Default false: between server nodes
    /// the link is fast and the guest's warm page cache is worth more than the bytes; a check-in crosses a home uplink.</summary>
    public bool ReclaimGuestRamOnMoves { get; set; }

    /// <summary>How long the guest's reclaim may take before it is stopped and the move goes on without it (what it zeroed
    /// until then stays zero). Default 20 s: under TCG on a loaded 2-core host it took 5.4–8.3 s for 55–87 MiB (ADR 0032),
    /// far less with KVM; 1 s to 2 min.</summary>
    public TimeSpan ReclaimGuestRamTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long each cleanup step (cancel on the source, abort on the target) may take. Default 2 min.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// After a Server restart, how long the cleanup of migrations that were running keeps trying while their nodes are
    /// unreachable; after that the machine is left to the reconciler (its orphan sweep removes the target's half-made VM
    /// when that node is back). Default 10 min.
    /// </summary>
    public TimeSpan RecoveryWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The first setting that is not valid, or null (checked at start).</summary>
    public string? Invalid()
    {
        foreach (var (name, link) in Links.Append(new KeyValuePair<string, MigrationLinkSetting>("DefaultLink", DefaultLink)))
        {
            if (!Core.Migration.MigrationQuantities.TryParseRate(link.Bandwidth, out var rate) || rate.BytesPerSecond <= 0
                || !Core.Migration.MigrationQuantities.TryParseDuration(link.Rtt, out var rtt) || rtt < TimeSpan.Zero
                || link.Loss is < 0 or >= 1)
            {
                return name;
            }
        }

        return PollInterval <= TimeSpan.Zero || CleanupTimeout <= TimeSpan.Zero || GuestCheckTimeout < TimeSpan.Zero || GuestCheckTimeout > TimeSpan.FromMinutes(5) || RecoveryWindow < TimeSpan.Zero || MaxConsecutivePollFailures < 1
            || StallTimeout <= PollInterval || DirtyRateSample < TimeSpan.FromSeconds(1) || DirtyRateSample > TimeSpan.FromSeconds(60)
            || PeerProbeSettle < TimeSpan.Zero || PeerProbeSettle > TimeSpan.FromMinutes(1)
            || ReclaimGuestRamTimeout < TimeSpan.FromSeconds(1) || ReclaimGuestRamTimeout > TimeSpan.FromMinutes(2)
            ? "intervals"
            : null;
    }

    /// <summary>Polls of the source in a row that may fail (a transient node error) before the migration fails. Default 25 (5 s at 200 ms).</summary>
    public int MaxConsecutivePollFailures { get; set; } = 25;
}
