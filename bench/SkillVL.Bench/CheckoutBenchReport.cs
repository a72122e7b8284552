using System.Globalization;
using System.Text;

namespace SkillVL.Bench;

/// <summary>The Markdown section of <see cref="CheckoutBench"/> for <c>docs/benchmarks.md</c>: the setup, then the moves,
/// the sync, the targets (computed here from the measured bytes) and the room network.</summary>
public static class CheckoutBenchReport
{
    private const double MiB = 1 << 20;

    public static string Render(IReadOnlyList<CheckoutMeasurement> rows, CheckoutBenchOptions o, CorpusTemplate template, string syncRate)
    {
        var r = new StringBuilder();
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, TCG; per link rate a testbed node1 (server) + laptop1 behind a NAT router of its own over skillvl-linkem (RTT {o.RttMs} ms); bytes are laptop1's port counters on the underlay bridge, both directions.");
        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture,
            $"- **VM** (issue 6's, by default): {o.RamMiB} MiB RAM, {o.RamFillMiB} MiB of it holding base data (a tmpfs file), its free RAM filled with page cache (the disk read) before each measured move, as a used guest's is — the check-in reclaims it (ADR 0032: the guest drops its cache and zeroes its free RAM), plain moves do not; template \"tiny-2g\": a {MigrationBenchOptions.DiskMiB / 1024} GiB disk with the tiny OS ({template.OsMiB} MiB) and {o.BaseMiB} MiB of base data (real files of this host, zstd -3 ratio {template.OverlayZstdRatio:0.00}:1). Before the check-out the guest wrote a **history of {o.HistoryMiB} MiB** (its overlay).");
        r.AppendLine(CultureInfo.InvariantCulture,
            $"- **Checked out, the guest changes {o.ChangePercent:0.#} % of the disk ({o.ChangedMiB} MiB)**: part A ({o.SyncedMiB} MiB), a sync (`POST .../sync`, the background sync's code and rate cap {syncRate}; the interval set to 1 h so it is the only one), then part B ({o.UnsyncedMiB} MiB, not synced). All writes are dd copies of base data to new places (conv=fsync), the base read as one stream wrapping around (nothing deduplicates; far-apart repeats are beyond zstd's window).");
        r.AppendLine(CultureInfo.InvariantCulture,
            $"- **Full move back**: after the check-in, the same VM (overlay {o.HistoryMiB + o.ChangedMiB} MiB) moved to laptop1 by a plain migration and back (today's migration client → server, overlay only, template cached on both).");
        r.AppendLine("- **Attempts** > 1: the platform took a move back because the guest did not answer on the target (QEMU 7.2 under TCG, ADR 0012) and the bench retried; the row is the successful attempt's.");
        r.AppendLine();
        r.AppendLine("| link | step | overlay MiB | total s | downtime ms | MiB on the link | QEMU's RAM / disk / template MiB | attempts |");
        r.AppendLine("|---:|---|---:|---:|---:|---:|---|---:|");
        foreach (var row in rows)
        {
            Move(r, row.Mbit, "check-out, template not cached", row.FirstCheckout);
            Move(r, row.Mbit, "check-in (part B unsynced)", row.Checkin);
            Move(r, row.Mbit, "plain move server → client (setup)", row.PlainMoveOut);
            Move(r, row.Mbit, "**full move back** client → server", row.FullMoveBack);
            Move(r, row.Mbit, "check-out, template cached", row.SecondCheckout);
        }

        r.AppendLine();
        r.AppendLine("Sync and the guest's disk throughput (dd of " + o.ThroughputMiB.ToString(CultureInfo.InvariantCulture)
            + " MiB, conv=fsync, page cache dropped, guest clock) with no sync running and while the sync ran:");
        r.AppendLine();
        r.AppendLine("| link | changed MiB | sync copied MiB | on its tunnel MiB | MiB on the link | sync s | dd idle MiB/s | dd during sync MiB/s | during ÷ idle |");
        r.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var s = row.Sync;
            var during = s.Overlapped ? F(s.DuringSyncMiBs, "0.0") : F(s.DuringSyncMiBs, "0.0") + " (sync ended first)";
            r.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Mbit} Mbit/s | {s.ChangedMiB} | {s.BytesCopied / MiB:0.0} | {s.TunnelBytes / MiB:0.0} | {s.LinkBytes / MiB:0.0} | {s.Seconds:0.0} | {s.IdleMiBs:0.0} | {during} | {s.DuringSyncMiBs / s.IdleMiBs:0.00} |");
        }

        r.AppendLine();
        r.AppendLine("Targets (issue 12), computed from the rows above: check-in ≤ 1.2 × (changed since the last sync + RAM QEMU sent); full move back ÷ check-in ≥ 5:");
        r.AppendLine();
        r.AppendLine("| link | changed since sync MiB | RAM sent MiB | check-in on the link MiB | ÷ (changed + RAM) | ≤ 1.2 | full move back MiB | full ÷ check-in | ≥ 5× |");
        r.AppendLine("|---:|---:|---:|---:|---:|---|---:|---:|---|");
        foreach (var row in rows)
        {
            r.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Mbit} Mbit/s | {row.UnsyncedChangedBytes / MiB:0} | {(row.Checkin.Migration.Metrics.RamBytes ?? 0) / MiB:0.0} | {row.Checkin.LinkBytes / MiB:0.0} | {row.CheckinOverChanges:0.00} | {Met(row.CheckinTargetMet)} | {row.FullMoveBack.LinkBytes / MiB:0.0} | {row.FullMoveOverCheckin:0.00} | {Met(row.FullMoveTargetMet)} |");
        }

        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Room network, VM on node1 → VM on laptop1: ping (20, guest to guest) and an nc stream of {o.NetMiB} MiB of base data (busybox nc, no iperf in the guest; goodput at the receiver, first byte to last). **Relay**: laptop1 a client node behind its NAT (ADR 0019). **VXLAN**: a second testbed with the same link emulator profile on laptop1's port, no NAT, laptop1 enrolled as a server-kind node (the agent's `--kind server`), so the overlay is VXLAN node1 ↔ laptop1 over the same emulated link.");
        r.AppendLine();
        r.AppendLine("| link | path | RTT ms | goodput Mbit/s | MiB on the link per MiB sent |");
        r.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var row in rows)
        {
            foreach (var (path, net) in new[] { ("relay (NAT)", row.Relay), ("VXLAN", row.Vxlan) })
            {
                var line = net.Error is { } error
                    ? FormattableString.Invariant($"| {row.Mbit} Mbit/s | {path} | {net.RttMs:0.0} | not measured: {error.ReplaceLineEndings(" ").Replace('|', '/')} | — |")
                    : FormattableString.Invariant($"| {row.Mbit} Mbit/s | {path} | {net.RttMs:0.0} | {net.Mbit:0.0} | {(double)net.LinkBytes / net.SentBytes:0.00} |");
                r.AppendLine(line);
            }
        }

        return r.ToString();
    }

    private static void Move(StringBuilder r, int mbit, string step, CheckoutMeasurement.Move move)
    {
        var m = move.Migration.Metrics;
        r.AppendLine(CultureInfo.InvariantCulture,
            $"| {mbit} Mbit/s | {step} | {move.OverlayMiB} | {move.Seconds:0.0} | {F(m.DowntimeMs, "0")} | {move.LinkBytes / MiB:0.0} | {F(m.RamBytes / MiB, "0")} / {F(m.DiskBytes / MiB, "0")} / {F(m.BaseBytes / MiB, "0")} | {move.Attempts} |");
    }

    private static string Met(bool met) => met ? "met" : "**not met**";

    private static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
}
