using System.Net.Http.Headers;
using System.Net.Http.Json;
using SkillVL.Core.Api;

namespace SkillVL.Experiments.Host;

/// <summary>
/// Runs cells on two nodes of an existing Server (<c>where: nodes</c>, <see cref="ExistingNodes"/>): real hosts, whose
/// link the runner neither shapes nor counts. Each run is a <see cref="CellMove"/> from the spec's source to its target
/// with the spec's template; the measured link (the Server's probe before the move) goes into results.csv beside the
/// link the spec stated. The caller is an admin of that Server (a room on named nodes, template sizes).
/// </summary>
public sealed class NodesCellRunner : ICellRunner, IDisposable
{
    private readonly HttpClient http;
    private readonly ExistingNodes nodes;
    private readonly CellMove move;

    private NodesCellRunner(HttpClient http, ExistingNodes nodes, string accelerator, long templateBytes, TextWriter log)
    {
        this.http = http;
        this.nodes = nodes;
        Accelerator = accelerator;
        TemplateDataBytes = templateBytes;
        move = new CellMove(http, log);
    }

    public string Accelerator { get; }

    public long TemplateDataBytes { get; }

    /// <summary>Checks that both nodes are there and ready and that the template exists, before anything runs.</summary>
    /// <param name="handler">How to reach the Server (its CA trusted); the runner disposes it.</param>
    /// <exception cref="ExperimentSpecException">A node or the template the spec names is not on the Server.</exception>
    public static async Task<NodesCellRunner> StartAsync(ExperimentSpec spec, Uri server, string token, HttpMessageHandler handler, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var nodes = spec.Nodes ?? throw new ArgumentException("the spec runs on a testbed", nameof(spec));
        var http = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            var known = await http.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerApi.Json, ct) ?? [];
            var templates = await http.GetFromJsonAsync<List<TemplateInfo>>(ApiPaths.Templates, ServerApi.Json, ct) ?? [];
            var errors = new List<string>();
            foreach (var (field, name) in new[] { ("from", nodes.From), ("to", nodes.To) })
            {
                var node = known.FirstOrDefault(n => n.Name == name);
                if (node is null || node.State != "ready")
                {
                    errors.Add($"where.nodes.{field}: \"{name}\" is {(node is null ? "not a node of" : $"{node.State} on")} {server} (ready: {string.Join(", ", known.Where(n => n.State == "ready").Select(n => n.Name))})");
                }
            }

            var template = templates.FirstOrDefault(t => t.Name == nodes.Template);
            if (template is null || template.Unusable is not null)
            {
                errors.Add($"where.template: \"{nodes.Template}\" is {(template is null ? "not a template of" : $"unusable ({template.Unusable}) on")} {server} (templates: {string.Join(", ", templates.Select(t => t.Name))})");
            }

            if (errors.Count > 0)
            {
                throw new ExperimentSpecException(errors);
            }

            var accelerator = known.First(n => n.Name == nodes.From).Accelerator;
            return new NodesCellRunner(http, nodes, accelerator, template!.SizeBytes, log);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    public Task<RunMeasurement> RunAsync(PlannedRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);

        // No written overlay on existing nodes (WhereParser), so the OS's size is not needed to place one.
        return move.RunAsync(run, nodes.From, nodes.To, nodes.Template, osBytes: 0, linkBytes: null, ct);
    }

    public void Dispose() => http.Dispose();
}
