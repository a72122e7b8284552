using System.Globalization;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Quantities;
using SkillVL.Testbed;
using SkillVL.Testbed.Network;
using SkillVL.Testbed.Planning;

namespace SkillVL.Experiments.Host;

/// <summary>
/// Runs a cell on a testbed this process creates, as the migration bench does: an embedded Server, node1 (source) and
/// laptop1 (target) behind skillvl-linkem with the cell's bandwidth, RTT and loss. The testbed stays up while consecutive runs
/// share their link and is rebuilt when the link changes. Each run applies a room of <c>vms</c> VMs on node1 (the
/// cell's RAM and disk template), gives each guest its state (<see cref="GuestLoad"/>), moves them all to laptop1 at
/// once, and reads QEMU's metrics and the link tap's byte counters; then deletes the room. With <c>workload: service</c> the
/// room also has a peer VM whose client times vm1's service (<see cref="ServiceWorkload"/>): on node1 (<c>vxlan: on</c>) or laptop1.
/// </summary>
public sealed class TestbedCellRunner : ICellRunner, IAsyncDisposable
{
    private const string Room = "exp";
    private readonly EmbeddedServer server;
    private readonly ExperimentTemplates templates;
    private readonly TextWriter log;
    private readonly HashSet<string> warmed = [];
    private (string Bandwidth, string Rtt, string Loss)? link;
    private TestbedController? testbed;
    private UnderlayServerRelay? relay;
    private string? state;
    private int built;
    private string prefix = "";

    private TestbedCellRunner(EmbeddedServer server, ExperimentTemplates templates, TextWriter log)
    {
        this.server = server;
        this.templates = templates;
        this.log = log;
    }

    public string Accelerator => "tcg";

    public long TemplateDataBytes => templates.DataBytes;

    /// <summary>Checks the spec against the template, builds a template per disk level and starts the Server.</summary>
    /// <exception cref="ExperimentSpecException">A cell's overlay would reach into the template's OS.</exception>
    public static async Task<TestbedCellRunner> StartAsync(ExperimentSpec spec, string tinyImage, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var os = await ExperimentTemplates.OsBytesAsync(tinyImage, ct);
        var errors = spec.Cells.Where(c => c.WrittenBytes > 0 && c.DiskBytes - c.WrittenBytes < os)
            .Select(c => FormattableString.Invariant(
                $"{Factor.Written}: {c.Level(Factor.Written)} on a {c.Level(Factor.Disk)} disk reaches into the template's OS (its first {os >> 20} MiB); make the disk at least {(os + c.WrittenBytes) >> 20} MiB"))
            .Distinct().ToList();
        if (errors.Count > 0)
        {
            throw new ExperimentSpecException(errors);
        }

        var templates = await ExperimentTemplates.BuildAsync(tinyImage, spec.Cells.Select(c => c.DiskBytes), ct);
        try
        {
            var server = await EmbeddedServer.StartAsync("exp", null, o => o.TemplateSources = [.. templates.Directories]);
            return new TestbedCellRunner(server, templates, log);
        }
        catch
        {
            templates.Dispose();
            throw;
        }
    }

    public async Task<RunMeasurement> RunAsync(PlannedRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        var cell = run.Cell;
        var http = server.Client;
        await EnsureTestbedAsync(cell, ct);
        var template = templates.Names[cell.DiskBytes];
        if (cell.Method == "skillvl" && warmed.Add(template))
        {
            // SkillVL's case is the template cached on the target (a first move fetches it once): warm it.
            await ServerApi.ApplyAsync(http, RoomYaml("warm", "laptop1", template, cell.RamBytes, 1), ct);
            await ServerApi.DeleteAsync(http, "warm", ct);
        }

        await ServerApi.ApplyAsync(http, RoomYaml(Room, "node1", template, cell.RamBytes, cell.Vms, cell.HasService ? cell.ClientOverVxlan ? "node1" : "laptop1" : null), ct);
        try
        {
            var machines = Enumerable.Range(1, cell.Vms).Select(i => $"vm{i}").ToList();
            await Task.WhenAll(machines.Select(m => ServerApi.ExecAsync(http, Room, m, GuestLoad.Prepare(cell, templates.OsBytes), ct)));
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

            var tap = Path.Combine("/sys/class/net", prefix + "c1u", "statistics");
            var before = Counter(tap);
            var migrations = await Task.WhenAll(machines.Select(m => ServerApi.MigrateAsync(http, Request(cell, m), ct)));
            var bytes = Counter(tap) - before;
            var measurement = MigrationMeasurement.Of(migrations, bytes);
            if (start is { } s)
            {
                measurement = await WithServiceAsync(measurement, migrations[0], s, ct);
            }

            await log.WriteLineAsync(FormattableString.Invariant(
                $"  {run.RunId} {cell.Key}: {measurement.Outcome}, {measurement.TotalSeconds:0.0} s, downtime {measurement.DowntimeQemuMs:0} ms, {bytes / 1048576.0:0.0} MiB on the link {measurement.Error}"));
            return measurement;
        }
        finally
        {
            await ServerApi.DeleteAsync(http, Room, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DownAsync();
        }
        finally
        {
            await server.DisposeAsync();
            templates.Dispose();
        }
    }

    /// <summary>The client's log after the move (and <see cref="ServiceWorkload.Around"/> more), put on the move's time
    /// axis: vm1's migration started and finished on the Server's clock, mapped onto the peer's through a stamp read
    /// just before the move and one just after (each at the middle of its exec's round trip).</summary>
    private async Task<RunMeasurement> WithServiceAsync(RunMeasurement measurement, MigrationInfo vm1, (DateTimeOffset Host, double GuestUs) start, CancellationToken ct)
    {
        var end = await PeerClockAsync(ct);
        await Task.Delay(ServiceWorkload.Around, ct);
        var log = await ServerApi.ExecAsync(server.Client, Room, ServiceWorkload.PeerName, ServiceWorkload.Collect, ct);
        var started = vm1.StartedAt ?? vm1.CreatedAt;
        var finished = vm1.FinishedAt ?? end.Host;
        var trace = ServiceTrace.Parse(log, start.GuestUs + (started - start.Host).TotalMicroseconds, end.GuestUs + (finished - end.Host).TotalMicroseconds);
        var latency = trace.Latency();
        await this.log.WriteLineAsync(FormattableString.Invariant(
            $"  service: {latency.Requests} requests, {latency.Errors} errors, p50 {latency.P50BeforeMs:0} / {latency.P50DuringMs:0} / {latency.P50AfterMs:0} ms before / during / after, longest gap {latency.LongestGapMs:0} ms"));
        return measurement with { Service = latency, Trace = trace };
    }

    /// <summary>The peer's clock (µs) and the Server's at the middle of the exec that read it.</summary>
    private async Task<(DateTimeOffset Host, double GuestUs)> PeerClockAsync(CancellationToken ct)
    {
        var sent = DateTimeOffset.UtcNow;
        var stamp = await ServerApi.ExecAsync(server.Client, Room, ServiceWorkload.PeerName, ServiceWorkload.Stamp, ct);
        var answered = DateTimeOffset.UtcNow;
        return (sent + ((answered - sent) / 2), double.Parse(stamp.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private static CreateMigrationRequest Request(ExperimentCell cell, string machine)
    {
        // The baseline and SkillVL end after 3× the bytes that must cross at the link's rate plus 2 min (as the bench):
        // a move that does not converge ends instead of running for ever.
        var floorBytes = (cell.FilledRamBytes + cell.WrittenBytes + (64L << 20)) * cell.Vms;
        var limit = FormattableString.Invariant($"{Math.Ceiling((3 * floorBytes / (double)cell.Bandwidth.BytesPerSecond) + 120):0}s");
        return cell.Method == "baseline"
            ? new CreateMigrationRequest($"{Room}/{machine}", "laptop1", DiskTransfer: "full", Tuning: "qemu-defaults", MaxTotalTime: limit,
                Link: new MigrationLinkOverride(cell.Level(Factor.Bandwidth), cell.Level(Factor.Rtt), cell.LossFraction))
            : new CreateMigrationRequest($"{Room}/{machine}", "laptop1", MaxDowntime: "2s", MaxTotalTime: limit);
    }

    private async Task EnsureTestbedAsync(ExperimentCell cell, CancellationToken ct)
    {
        var wanted = (cell.Level(Factor.Bandwidth), cell.Level(Factor.Rtt), Percentage.Format(cell.LossFraction));
        if (link == wanted && testbed is not null)
        {
            return;
        }

        await DownAsync();
        built++;
        state = Path.Combine(server.Root, $"testbed-{built}");
        testbed = new TestbedController(TextWriter.Null);
        warmed.Clear();
        link = wanted;
        var socket = Path.Combine(server.RuntimeDirectory, "agent.sock");
        (prefix, var subnet) = await FreeHostNames.PickAsync("svlx", 90, 99, ct);
        await log.WriteLineAsync($"  testbed {prefix}: node1 → laptop1 at {wanted.Item1}, RTT {wanted.Item2}, loss {wanted.Item3}");
        await testbed.UpAsync(
            new UpRequest
            {
                Nodes = 1,
                Clients = ["laptop1"],
                Bandwidth = Tc(cell.Bandwidth.BytesPerSecond),
                Rtt = FormattableString.Invariant($"{cell.Rtt.TotalMilliseconds:0.###}ms"),
                Loss = wanted.Item3,
                Prefix = prefix,
                Subnet = subnet,
                StateDirectory = state,
                Server = "unix:" + socket,
                AdminToken = server.AdminToken,
                AgentCommand = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll"),
                AgentServerOnUnderlay = (address, _) =>
                {
                    relay = UnderlayServerRelay.Start(address, socket);
                    return Task.FromResult(relay.Url);
                },
            },
            ct);
        var http = server.Client;
        await ServerApi.WaitAsync(async () => (await http.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerApi.Json, ct))!
            .Count(n => n.Name is "node1" or "laptop1" && n.State == "ready") == 2, "node1 and laptop1 ready", TimeSpan.FromSeconds(90), ct);
        (await http.PostAsync(ApiPaths.Nodes + "/local/drain", null, ct)).EnsureSuccessStatusCode();
    }

    private async Task DownAsync()
    {
        try
        {
            if (testbed is not null && state is not null)
            {
                // Also removes node1 and laptop1 at the Server, so the next testbed enrols nodes of the same names.
                await testbed.DownAsync(state, CancellationToken.None);
            }
        }
        finally
        {
            testbed = null;
            link = null;
            if (relay is not null)
            {
                await relay.DisposeAsync();
                relay = null;
            }
        }
    }

    /// <summary>The rate as tc writes it (bits per second), e.g. 20000000bit, so any level the spec accepts reaches linkem.</summary>
    private static string Tc(long bytesPerSecond) => (bytesPerSecond * 8).ToString(CultureInfo.InvariantCulture) + "bit";

    private static long Counter(string tap) =>
        long.Parse(File.ReadAllText(Path.Combine(tap, "rx_bytes")), CultureInfo.InvariantCulture)
        + long.Parse(File.ReadAllText(Path.Combine(tap, "tx_bytes")), CultureInfo.InvariantCulture);

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
