using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SkillVL.ProxmoxSimulator;

/// <summary>
/// A STAND-IN for a Proxmox VE cluster's API, because no PVE cluster can run on this machine: HTTPS on loopback with a
/// self-signed certificate, <c>/api2/json</c>, the API-token header (anything else: 401), token ACLs with inheritance
/// (403 <c>Permission check failed (path, priv)</c>), tasks with real UPIDs that run for <see cref="TaskDuration"/>,
/// <c>VM N is locked (clone)</c> and config-lock timeouts while a clone runs, 500s shaped like the captured fixtures,
/// SDN changes pending until <c>PUT /cluster/sdn</c>. Every request is judged against the official 9.1 schema before it
/// is served, as PVE's own validation would (501 unknown method, 400 with <c>errors</c>); each violation is also kept in
/// <see cref="Violations"/> so a test can prove none happened. It runs no VM: consoles and the guest agent are not
/// simulated (a later slice runs real QEMU under it). Behaviour is taken from NOTES.md and the fixtures, not from a PVE.
/// </summary>
public sealed partial class ProxmoxSimulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly X509Certificate2 certificate;
    private readonly object gate = new();
    private readonly List<SchemaViolation> violations = [];
    private readonly List<string> requests = [];
    private int pid = 0x1000;
    private int nextConsolePort = 5900;

    private ProxmoxSimulator(WebApplication app, X509Certificate2 certificate)
    {
        this.app = app;
        this.certificate = certificate;
        app.UseWebSockets();
        app.Run(HandleAsync);
    }

    public Uri BaseUri { get; private set; } = new("https://127.0.0.1/");

    /// <summary>The SHA-256 fingerprint of the simulator's certificate, as PVE prints it.</summary>
    public string Fingerprint => string.Join(':', SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    public string Version { get; set; } = "9.1.2";

    public TimeSpan TaskDuration { get; set; } = TimeSpan.FromMilliseconds(300);

    public List<SimulatedToken> Tokens { get; } = [];

    public Dictionary<string, bool> Nodes { get; } = new(StringComparer.Ordinal) { ["pve1"] = true, ["pve2"] = true };

    public Dictionary<long, SimulatedVm> Vms { get; } = [];

    public Dictionary<string, string> Zones { get; } = new(StringComparer.Ordinal) { ["rooms"] = "vxlan", ["local"] = "simple" };

    /// <summary>Storage id → (type, content, shared).</summary>
    public Dictionary<string, (string Type, string Content, bool Shared)> Storage { get; } = new(StringComparer.Ordinal)
    {
        ["local"] = ("dir", "iso,vztmpl,backup", false),
        ["ceph"] = ("rbd", "images,rootdir", true),
    };

    /// <summary>Applied VNets: id → (zone, VNI).</summary>
    public Dictionary<string, (string Zone, long Tag)> Vnets { get; } = new(StringComparer.Ordinal);

    /// <summary>VNets written but not applied: id → (zone, VNI, state new/deleted).</summary>
    public Dictionary<string, (string Zone, long Tag, string State)> PendingVnets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SimulatedTask> Tasks { get; } = new(StringComparer.Ordinal);

    /// <summary>Console tickets issued by vncproxy/termproxy: ticket → (vmid, port, valid until), as PVE binds them.</summary>
    public Dictionary<string, (long VmId, int Port, DateTimeOffset Until)> ConsoleTickets { get; } = new(StringComparer.Ordinal);

    /// <summary>How long a console ticket is accepted (PVE: verify_rsa_ticket(..., -20, 40), about 40 s).</summary>
    public TimeSpan ConsoleTicketLifetime { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>Requests the schema does not allow (answered 400/501 as PVE would).</summary>
    public IReadOnlyList<SchemaViolation> Violations { get { lock (gate) { return [.. violations]; } } }

    /// <summary>Every request served, as <c>METHOD template</c>, for the schema coverage report.</summary>
    public IReadOnlyList<string> Requests { get { lock (gate) { return [.. requests]; } } }

    /// <summary>A full-privilege token <c>skillvl@pve!lab</c> and a template <c>tiny</c> (9000 on pve1) are there from the start.</summary>
    public static async Task<ProxmoxSimulator> StartAsync(CancellationToken cancellationToken)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pve1.simulator.invalid, O=Proxmox VE simulator", key, HashAlgorithmName.SHA256);
        using var generated = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pkcs12), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var simulator = new ProxmoxSimulator(builder.Build(), certificate);
        simulator.Tokens.Add(FullToken("skillvl@pve!lab", "11111111-2222-3333-4444-555555555555"));
        simulator.Vms[9000] = new SimulatedVm(9000, "pve1", "tiny") { Template = true };
        simulator.Vms[9000].Config["net0"] = "virtio=BC:24:11:00:00:01,bridge=vmbr0";
        await simulator.app.StartAsync(cancellationToken);
        var address = simulator.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        simulator.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return simulator;
    }

    /// <summary>A token holding every privilege SkillVL's role has, on <c>/</c>.</summary>
    public static SimulatedToken FullToken(string id, string secret) =>
        new SimulatedToken(id, secret).Grant(
            "/", "Sys.Audit", "VM.Allocate", "VM.Audit", "VM.Clone", "VM.Config.CPU", "VM.Config.Disk", "VM.Config.HWType",
            "VM.Config.Memory", "VM.Config.Network", "VM.Config.Options", "VM.Console", "VM.Migrate", "VM.PowerMgmt",
            "VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted", "Datastore.AllocateSpace", "Datastore.Audit",
            "SDN.Allocate", "SDN.Audit", "SDN.Use");

    public void ClearViolations()
    {
        lock (gate)
        {
            violations.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        const string prefix = "/api2/json";
        var rawPath = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        SimulatorReply reply;
        if (!rawPath.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            reply = SimulatorReply.Error(404, "Not Found");
        }
        else if (Authenticate(context.Request.Headers.Authorization.ToString()) is not { } token)
        {
            // pveproxy answers a refused login after about 3 s (AnyEvent.pm); a tenth of that keeps tests quick.
            await Task.Delay(TimeSpan.FromMilliseconds(300), context.RequestAborted);
            reply = SimulatorReply.Error(401, "authentication failure");
        }
        else
        {
            var parameters = new List<KeyValuePair<string, string>>();
            foreach (var (k, values) in context.Request.Query)
            {
                parameters.AddRange(values.Select(v => new KeyValuePair<string, string>(k, v ?? "")));
            }

            if (context.Request.HasFormContentType)
            {
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                foreach (var (k, values) in form)
                {
                    parameters.AddRange(values.Select(v => new KeyValuePair<string, string>(k, v ?? "")));
                }
            }

            reply = Judge(method, rawPath[prefix.Length..], parameters, token);
        }

        if (reply.Status == 200 && context.WebSockets.IsWebSocketRequest && rawPath.EndsWith("/vncwebsocket", StringComparison.Ordinal))
        {
            // The ticket was good. No VM runs under the simulator, so the socket carries no console bytes: it is accepted
            // (echoing the 'binary' subprotocol, as pveproxy does) and closed with a reason that says so.
            var protocol = context.WebSockets.WebSocketRequestedProtocols.Contains("binary") ? "binary" : null;
            using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "simulator: no VM behind this console", context.RequestAborted);
            return;
        }

        context.Response.StatusCode = reply.Status;
        context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reply.Reason;
        context.Response.ContentType = "application/json;charset=UTF-8";
        var body = new Dictionary<string, object?> { ["data"] = reply.Data };
        if (reply.Errors is not null)
        {
            body["errors"] = reply.Errors;
        }
        else if (reply.Status >= 400)
        {
            body["message"] = reply.Reason + "\n";
        }

        await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }

    private SimulatedToken? Authenticate(string header)
    {
        // Exactly PVEAPIToken=USER@REALM!TOKENID=SECRET; no Bearer, no Basic, no "root@pam=name" (NOTES.md §12).
        const string scheme = "PVEAPIToken=";
        if (!header.StartsWith(scheme, StringComparison.Ordinal))
        {
            return null;
        }

        var value = header[scheme.Length..];
        var split = value.LastIndexOf('=');
        return split <= 0 ? null : Tokens.Find(t => t.Id == value[..split] && t.Secret == value[(split + 1)..]);
    }

    private SimulatorReply Judge(string method, string path, List<KeyValuePair<string, string>> parameters, SimulatedToken token)
    {
        var match = PveSchema.Instance.Match(method, path);
        if (match is null)
        {
            Record(new SchemaViolation(method, path, "-", new Dictionary<string, string> { ["path"] = "no such method in the 9.1 schema" }));
            return SimulatorReply.Error(501, $"Method '{method} {path}' not implemented");
        }

        var problems = PveSchema.Instance.Validate(match, parameters);
        lock (gate)
        {
            requests.Add($"{method} {match.Template}");
        }

        if (problems.Count > 0)
        {
            Record(new SchemaViolation(method, path, match.Template, problems));
            return SimulatorReply.BadParameters(problems);
        }

        var call = new SimulatorCall(match, parameters.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal), token);
        lock (gate)
        {
            foreach (var task in Tasks.Values)
            {
                task.Advance(DateTimeOffset.UtcNow);
            }

            return Dispatch(call);
        }
    }

    private void Record(SchemaViolation violation)
    {
        lock (gate)
        {
            violations.Add(violation);
        }
    }

    private string NewUpid(string node, string type, string id, string user)
    {
        var start = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        pid++;
        return $"UPID:{node}:{pid:X8}:{pid * 7:X8}:{start:X8}:{type}:{id}:{user}:";
    }

    private SimulatedTask StartTask(string node, string type, string id, string user, Action? finish)
    {
        var task = new SimulatedTask(NewUpid(node, type, id, user), node, type, id, user, DateTimeOffset.UtcNow + TaskDuration) { Finish = finish };
        task.Log.Add($"{type} {id}: started by {user}");
        Tasks[task.Upid] = task;
        return task;
    }
}
