using System.Text.Json;
using SkillVL.Agent.Remote;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Audit;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;
using SkillVL.Server.Machines;
using SkillVL.Server.Pki;
using SkillVL.Server.Reconciliation;

namespace SkillVL.Server.Nodes;

/// <summary>
/// What agents talk to: enrolment with a join token, the long-lived connection (WebSocket, opened by the agent),
/// and template files for nodes that lack a template. Authenticated by node credentials, not user tokens.
/// </summary>
public static class AgentEndpoints
{
    public static void MapAgentEndpoints(this WebApplication app)
    {
        var agent = app.MapGroup("").ExcludeFromDescription();
        agent.MapPost(AgentPaths.Enrol, async (EnrolRequest request, HttpContext http, NodeService nodes, AuditService audit, CancellationToken ct) =>
        {
            var (enrolled, status, problem) = await nodes.EnrolAsync(request, ct);
            await audit.RecordAsync(http, null, "node.enrol", $"node={request.Name} kind={request.Kind}", enrolled is null ? "refused" : "ok", problem);
            return enrolled is not null
                ? Results.Ok(enrolled)
                : status == 401
                    ? Results.Problem(statusCode: 401, title: "Join refused", detail: "The join token is not valid (unknown, used or expired).")
                    : Results.Problem(statusCode: status, title: "Join refused", detail: problem);
        });

        agent.MapGet(AgentPaths.Connect, ConnectAsync);
        agent.MapGet(AgentPaths.ConsoleRelay("{session}"), Consoles.ConsoleGateway.AgentRelayAsync);

        // A fenced disk the agent sends back (ADR 0044) meets its download the same way: a session only its request knows.
        agent.MapGet(AgentPaths.DiskRelay("{session}"), Consoles.ConsoleGateway.AgentRelayAsync);

        agent.MapGet("/agent/v1/templates/{sha}/{file}", async (string sha, string file, HttpContext http, NodeService nodes, CompressedTemplateFiles compressed,
            Microsoft.Extensions.Options.IOptions<SkillVlServerOptions> options, CancellationToken ct) =>
        {
            if (await nodes.AuthenticateAsync(AuthSetup.BearerToken(http.Request), ct) is null)
            {
                return Results.Unauthorized();
            }

            var directory = Path.Combine(options.Value.DataDirectory, "templates", sha);
            var manifestPath = Path.Combine(directory, "template.json");
            if (!System.Text.RegularExpressions.Regex.IsMatch(sha, "^[0-9a-f]{64}$") || !File.Exists(manifestPath))
            {
                return Results.NotFound();
            }

            // Only the manifest and the files it lists: no path ever comes from the request.
            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath, ct));
            var listed = manifest.RootElement.GetProperty("files").EnumerateObject().Select(p => p.Name).Append("template.json");
            var name = listed.FirstOrDefault(n => n == file);
            if (name is null)
            {
                return Results.NotFound();
            }

            // A node that accepts zstd gets the compressed copy: a template often crosses a client's slow link.
            var path = Path.Combine(directory, name);
            if (PrecompressedAssets.Accepts(http.Request, CompressedTemplateFiles.Encoding) && new FileInfo(path).Length >= CompressedTemplateFiles.MinimumBytes)
            {
                path = await compressed.GetAsync(sha, name, path, ct);
                http.Response.Headers.ContentEncoding = CompressedTemplateFiles.Encoding;
            }

            http.Response.Headers.Vary = Microsoft.Net.Http.Headers.HeaderNames.AcceptEncoding;
            return Results.File(path, "application/octet-stream");
        });
    }

    private static async Task ConnectAsync(
        HttpContext http,
        NodeService nodes,
        NodeRegistry registry,
        NodeCertificateService certificates,
        OfflineJournalRecorder journal,
        ReconcileLoop reconciler,
        ReconcileTrigger trigger,
        NodeLoadHistory loads,
        Consoles.ConsoleRendezvous consoles,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("SkillVL.Server.Nodes.AgentEndpoints");
        var node = await nodes.AuthenticateAsync(AuthSetup.BearerToken(http.Request), http.RequestAborted);
        if (node is null || !http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = node is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(
            new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.FromSeconds(15), KeepAliveTimeout = TimeSpan.FromSeconds(30) });
        await using var channel = new AgentChannel(socket, node.Name);
        var remote = registry.Find(node.Name) as RemoteNodeAgent ?? new RemoteNodeAgent(new Core.Nodes.NodeFacts(node.Name, 0, 0, "unknown", node.Kind), consoles);
        registry.Register(remote);
        try
        {
            await channel.RunAsync(
                async message =>
                {
                    if (message.Type is AgentMessage.Hello or AgentMessage.Heartbeat && message.Facts is { } facts)
                    {
                        var named = facts with
                        {
                            Name = node.Name,
                            Kind = node.Kind,
                            ClockOffsetSeconds = facts.Clock is { } clock ? (clock - time.GetUtcNow()).TotalSeconds : null,
                        };
                        if (message.Type == AgentMessage.Hello)
                        {
                            // What the node did alone is recorded, and the desired states follow its owner's actions,
                            // before the reconcile sees the node again (ADR 0024): no restart of a VM stopped locally.
                            await RecordJournalAsync(journal, node.Name, message, channel, http.RequestAborted);
                            reconciler.ForgetEnsuredNetworks(node.Name);
                            remote.Attach(channel, named, time.GetUtcNow());
                            NodeLog.Connected(logger, node.Name, named.UnderlayAddress ?? "-");
                            trigger.Poke();
                        }
                        else
                        {
                            remote.Seen(named, time.GetUtcNow());
                        }

                        if (message.Load is { } load)
                        {
                            loads.Record(node.Name, load);
                        }

                        // Timed off the read loop, which must be free to read the answer.
                        _ = Task.Run(() => PingAsync(channel, loads, node.Name, time, http.RequestAborted), http.RequestAborted);

                        await nodes.SeenAsync(node.Name, named, http.RequestAborted);
                    }
                    else if (message.Type == AgentMessage.JournalReport)
                    {
                        await RecordJournalAsync(journal, node.Name, message, channel, http.RequestAborted);
                        trigger.Poke();
                    }
                    else if (message.Type == AgentMessage.Request)
                    {
                        // The agent's own calls (its QEMU TLS credentials, ADR 0011), answered off the read loop. The
                        // names it gets are the Server's: its authenticated name and the underlay its hello reported.
                        var underlay = remote.Facts.UnderlayAddress;
                        var peer = http.Connection.RemoteIpAddress?.ToString();
                        _ = Task.Run(async () =>
                        {
                            var answer = await certificates.AnswerAsync(message, node.Name, underlay, peer);
                            try
                            {
                                await channel.SendAsync(answer, http.RequestAborted);
                            }
                            catch (Exception e) when (e is DriverException or OperationCanceledException)
                            {
                                // The agent went away; it asks again when it is back.
                            }
                        }, http.RequestAborted);
                    }
                },
                http.RequestAborted);
        }
        finally
        {
            remote.Detach(channel);
            NodeLog.Disconnected(logger, node.Name);
        }
    }

    /// <summary>The most a ping may take; a slower link is not measured this time (a client's link is rarely worse than 2 s).</summary>
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Times a <c>node.ping</c> on the agent's connection: the node's round trip to the Server (ADR 0027), a
    /// client's link as the placement advisor sees it. An older agent answers with an error, and is not measured.</summary>
    private static async Task PingAsync(AgentChannel channel, NodeLoadHistory loads, string node, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            await channel.CallAsync(AgentMethods.NodePing, null, PingTimeout, cancellationToken);
            loads.RecordRoundTrip(node, time.GetElapsedTime(started));
        }
        catch (Exception e) when (e is DriverException or OperationCanceledException or ObjectDisposedException)
        {
            // Not measured this time: the agent went away, is older, or the link is slower than the timeout.
        }
    }

    /// <summary>Records a hello's or a journal message's entries and acknowledges them to the agent.</summary>
    private static async Task RecordJournalAsync(OfflineJournalRecorder journal, string nodeName, AgentMessage message, AgentChannel channel, CancellationToken cancellationToken)
    {
        if (await journal.RecordAsync(nodeName, message.Journal, cancellationToken) is { } recorded)
        {
            await channel.SendAsync(new AgentMessage { Type = AgentMessage.JournalAcknowledge, JournalAck = recorded }, cancellationToken);
        }
    }
}
