using System.Globalization;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Experiments.Host;

/// <summary>
/// One run of a cell on two nodes of a Server, wherever they are (a testbed the runner made, or existing nodes): applies
/// a room of <c>vms</c> VMs on the source (the cell's RAM, the given template), gives each guest its state
/// (<see cref="GuestLoad"/>), moves them all to the target at once, and reads QEMU's metrics and, where the runner can
/// count them, the link's bytes; then deletes the room. With <c>workload: service</c> the room also has a peer VM whose
/// client times vm1's service (<see cref="ServiceWorkload"/>): on the source (<c>vxlan: on</c>) or the target.
/// </summary>
internal sealed class CellMove(HttpClient http, TextWriter log)
{
    private const string Room = "exp";
    private readonly HashSet<string> warmed = [];

    /// <summary>Templates warmed on the target; cleared when the target is new (a rebuilt testbed).</summary>
    public void Forget() => warmed.Clear();

    /// <param name="linkBytes">The link's byte counter (both directions), or null where the runner cannot read one.</param>
    public async Task<RunMeasurement> RunAsync(
        PlannedRun run, string from, string to, string template, long osBytes, Func<long>? linkBytes, CancellationToken ct)
    {
        var cell = run.Cell;
        if (cell.Method == "skillvl" && warmed.Add(template))
        {
            // SkillVL's case is the template cached on the target (a first move fetches it once): warm it.
            await ServerApi.ApplyAsync(http, RoomYaml("warm", to, template, cell.RamBytes, 1), ct);
            await ServerApi.DeleteAsync(http, "warm", ct);
        }

        await ServerApi.ApplyAsync(http, RoomYaml(Room, from, template, cell.RamBytes, cell.Vms, cell.HasService ? cell.ClientOverVxlan ? from : to : null), ct);
        try
        {
            var machines = Enumerable.Range(1, cell.Vms).Select(i => $"vm{i}").ToList();
            await Task.WhenAll(machines.Select(m => ServerApi.ExecAsync(http, Room, m, GuestLoad.Prepare(cell, osBytes), ct)));
            if (cell.DirtyRate.BytesPerSecond > 0)
            {
                var rate = (int)Math.Max(1, Math.Round(cell.DirtyRate.BytesPerSecond / 1048576.0));
                await Task.WhenAll(machines.Select(m => ServerApi.ExecAsync(http, Room, m, GuestLoad.DirtyWriter(rate), ct)));
            }

            (DateTimeOffset Host, double GuestUs)? start = null;
            if (cell.HasService)
            {
                await ServerApi.ExecAsync(http, Room, "vm1", ServiceWorkload.Server, ct);
                await ServerApi.ExecAsync(http, Room, ServiceWorkload.PeerName, ServiceWorkload.Client(), ct);
                await Task.Delay(ServiceWorkload.Around, ct);
                start = await PeerClockAsync(ct);
            }

            var before = linkBytes?.Invoke();
            var migrations = await Task.WhenAll(machines.Select(m => ServerApi.MigrateAsync(http, Request(cell, m, to), ct)));
            var bytes = linkBytes?.Invoke() - before;
            var measurement = MigrationMeasurement.Of(migrations, bytes);
            if (start is { } s)
            {
                measurement = await WithServiceAsync(measurement, migrations[0], s, ct);
            }

            // Each part invariant: a nested interpolation would take the process's culture.
            var link = bytes is { } b
                ? FormattableString.Invariant($"{b / 1048576.0:0.0} MiB on the link")
                : FormattableString.Invariant($"link {measurement.Link?.Mbit:0.#} Mbit/s {measurement.Link?.RttMs:0.#} ms ({measurement.Link?.Source})");
            await log.WriteLineAsync(FormattableString.Invariant(
                $"  {run.RunId} {cell.Key}: {measurement.Outcome}, {measurement.TotalSeconds:0.0} s, downtime {measurement.DowntimeQemuMs:0} ms, {link} {measurement.Error}"));
            return measurement;
        }
        finally
        {
            await ServerApi.DeleteAsync(http, Room, CancellationToken.None);
        }
    }

    /// <summary>The client's log after the move (and <see cref="ServiceWorkload.Around"/> more), put on the move's time
    /// axis: vm1's migration started and finished on the Server's clock, mapped onto the peer's through a stamp read
    /// just before the move and one just after (each at the middle of its exec's round trip).</summary>
    private async Task<RunMeasurement> WithServiceAsync(RunMeasurement measurement, MigrationInfo vm1, (DateTimeOffset Host, double GuestUs) start, CancellationToken ct)
    {
        var end = await PeerClockAsync(ct);
        await Task.Delay(ServiceWorkload.Around, ct);
        var trace = await ServerApi.ExecAsync(http, Room, ServiceWorkload.PeerName, ServiceWorkload.Collect, ct);
        var started = vm1.StartedAt ?? vm1.CreatedAt;
        var finished = vm1.FinishedAt ?? end.Host;
        var parsed = ServiceTrace.Parse(trace, start.GuestUs + (started - start.Host).TotalMicroseconds, end.GuestUs + (finished - end.Host).TotalMicroseconds);
        var latency = parsed.Latency();
        await log.WriteLineAsync(FormattableString.Invariant(
            $"  service: {latency.Requests} requests, {latency.Errors} errors, p50 {latency.P50BeforeMs:0} / {latency.P50DuringMs:0} / {latency.P50AfterMs:0} ms before / during / after, longest gap {latency.LongestGapMs:0} ms"));
        return measurement with { Service = latency, Trace = parsed };
    }

    /// <summary>The peer's clock (µs) and the Server's at the middle of the exec that read it.</summary>
    private async Task<(DateTimeOffset Host, double GuestUs)> PeerClockAsync(CancellationToken ct)
    {
        var sent = DateTimeOffset.UtcNow;
        var stamp = await ServerApi.ExecAsync(http, Room, ServiceWorkload.PeerName, ServiceWorkload.Stamp, ct);
        var answered = DateTimeOffset.UtcNow;
        return (sent + ((answered - sent) / 2), double.Parse(stamp.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private static CreateMigrationRequest Request(ExperimentCell cell, string machine, string to)
    {
        // The baseline and SkillVL end after 3× the bytes that must cross at the link's rate plus 2 min (as the bench):
        // a move that does not converge ends instead of running for ever.
        var floorBytes = (cell.FilledRamBytes + cell.WrittenBytes + (64L << 20)) * cell.Vms;
        var limit = FormattableString.Invariant($"{Math.Ceiling((3 * floorBytes / (double)cell.Bandwidth.BytesPerSecond) + 120):0}s");
        return cell.Method == "baseline"
            ? new CreateMigrationRequest($"{Room}/{machine}", to, DiskTransfer: "full", Tuning: "qemu-defaults", MaxTotalTime: limit,
                Link: new MigrationLinkOverride(cell.Level(Factor.Bandwidth), cell.Level(Factor.Rtt), cell.LossFraction))
            : new CreateMigrationRequest($"{Room}/{machine}", to, MaxDowntime: "2s", MaxTotalTime: limit);
    }

    private static string RoomYaml(string name, string node, string template, long ramBytes, int vms, string? peerNode = null) =>
        $$"""
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: {{name}} }
        networks: [{ name: lan, cidr: 10.0.0.0/24 }]
        machines:
        {{string.Join("\n", Enumerable.Range(1, vms).Select(i => FormattableString.Invariant(
            $"  - {{ name: vm{i}, template: {template}, memory: {ramBytes >> 20}Mi, node: {node}, nics: [{{ network: lan, ip: 10.0.0.{10 + i} }}] }}")))}}
        {{(peerNode is null ? "" : ServiceWorkload.PeerYaml(template, peerNode))}}
        """;
}
