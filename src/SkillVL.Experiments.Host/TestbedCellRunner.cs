using System.Globalization;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Quantities;
using SkillVL.Testbed;
using SkillVL.Testbed.Network;
using SkillVL.Testbed.Planning;

namespace SkillVL.Experiments.Host;

/// <summary>
/// Runs a cell on a testbed this process creates, as the migration bench does: an embedded Server, node1 (source) and
/// laptop1 (target) behind skillvl-linkem with the cell's bandwidth, RTT and loss. The testbed stays up while consecutive runs
/// share their link and is rebuilt when the link changes. Each run is a <see cref="CellMove"/> from node1 to laptop1 with
/// the cell's disk template, its link bytes read from laptop1's link tap.
/// </summary>
public sealed class TestbedCellRunner : ICellRunner, IAsyncDisposable
{
    private readonly EmbeddedServer server;
    private readonly ExperimentTemplates templates;
    private readonly TextWriter log;
    private readonly CellMove move;
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
        move = new CellMove(server.Client, log);
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
        await EnsureTestbedAsync(cell, ct);
        var tap = Path.Combine("/sys/class/net", prefix + "c1u", "statistics");
        return await move.RunAsync(run, "node1", "laptop1", templates.Names[cell.DiskBytes], templates.OsBytes, () => Counter(tap), ct);
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
        move.Forget();
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
}
