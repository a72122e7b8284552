using System.Diagnostics;
using System.Net.WebSockets;
using SkillVL.Agent.Remote;
using SkillVL.Core.Api;
using SkillVL.Server.Apis;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Consoles;

/// <summary>
/// Browser consoles through the Server: a user who may see a machine asks for a ticket (an API call, so
/// authenticated and audited like any other); the browser opens the ticket's WebSocket (browsers cannot send a
/// bearer header on WebSockets — the single-use ticket is the credential) and the gateway relays bytes between it
/// and the byte stream the VM's node hands back (VNC → noVNC, serial → xterm.js; ADR 0036; SPICE → spice-html5, one
/// WebSocket per SPICE channel admitted into the session its ticket opened, ADR 0056). On a QEMU node VNC, SPICE and
/// serial are unix sockets in the runtime directory, never reachable from the network (ADR 0003). Every session is
/// audited with its length.
/// </summary>
public static class ConsoleGateway
{
    public const string WebSocketPath = "/console/ws";

    public static RouteGroupBuilder MapConsoleTickets(this RouteGroupBuilder api)
    {
        api.MapPost("/rooms/{room}/machines/{machine}/console/tickets", IssueAsync)
            .WithTags("Consoles")
            .Produces<ConsoleTicket>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("A single-use, 30-second ticket for the machine's VNC, SPICE or serial console WebSocket");
        return api;
    }

    public static void MapConsoleGateway(this WebApplication app) =>
        app.Map(WebSocketPath, RelayAsync).ExcludeFromDescription();

    private static async Task<IResult> IssueAsync(
        string room, string machine, ConsoleTicketRequest request, HttpContext http, SkillVlDbContext db, AccessService access,
        NodeRegistry nodes, ConsoleTickets tickets, SpiceSessions spiceSessions)
    {
        var (refusal, grant) = await GrantAsync(room, machine, request, http, db, access, nodes, spiceSessions);
        if (grant is null)
        {
            return refusal!;
        }

        var (ticket, expires) = tickets.Issue(grant);
        return Results.Ok(new ConsoleTicket($"{WebSocketPath}?ticket={Uri.EscapeDataString(ticket)}", grant.Kind, expires));
    }

    /// <summary>What the caller may open of the machine's console, or the answer that says why not (404 for a machine the
    /// caller may not see, 400 for a bad kind, 409 for a stopped machine or a SPICE console held by another, 503 for an
    /// unreachable node). Audited as the request's detail.</summary>
    internal static async Task<(IResult? Refusal, ConsoleGrant? Grant)> GrantAsync(
        string room, string machine, ConsoleTicketRequest request, HttpContext http, SkillVlDbContext db, AccessService access,
        NodeRegistry nodes, SpiceSessions spiceSessions)
    {
        var caller = http.Caller();
        var entity = await access.FindRoomAsync(caller, db.ReadRooms(), room, http.RequestAborted);
        var found = entity is { DeletionRequested: false } ? entity.Machines.FirstOrDefault(m => m.Name == machine) : null;
        if (found is null)
        {
            return (ApiResults.NotFound($"Machine '{RoomReference.Parse(room)}/{machine}'"), null);
        }

        if (request.Kind is not ("vnc" or "spice" or "serial"))
        {
            return (ApiResults.Invalid("kind", "must be vnc, spice or serial.", "The console request is not valid."), null);
        }

        if (found.ObservedState != MachineStates.Running)
        {
            return (ApiResults.Conflict($"Machine {room}/{machine} is {found.ObservedState}; start it to open its console."), null);
        }

        if (request.Kind == "spice" && spiceSessions.BusyReason(found.Id, $"{room}/{machine}") is { } busy)
        {
            return (ApiResults.Conflict(busy), null);
        }

        if (nodes.Find(found.NodeName) is not { } node || !nodes.IsReachable(node))
        {
            return (Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Node unreachable",
                detail: $"Machine {room}/{machine} runs on node {found.NodeName}, which is unreachable now."), null);
        }

        http.Items[AuditService.DetailItem] = "console " + request.Kind + (request.Watch ? " (watch only)" : "");
        return (null, new ConsoleGrant(
            caller.Id, caller.Username, caller.Role, found.Id, found.NodeName, $"room={entity!.Name} machine={machine}", request.Kind, request.Watch));
    }

    private static async Task RelayAsync(
        HttpContext http, ConsoleTickets tickets, NodeRegistry nodes, AuditService audit, UserDirectory users, ConsoleSessions sessions,
        SpiceSessions spiceSessions)
    {
        if (!ConsoleOrigin.IsAllowed(http.Request.Headers.Origin, http.Request.Host))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var ticket = http.Request.Query["ticket"].ToString();
        var address = http.Connection.RemoteIpAddress;
        var grant = tickets.Redeem(ticket);
        if (grant is null && http.WebSockets.IsWebSocketRequest && spiceSessions.Join(ticket, address) is { } joined)
        {
            // Another channel of an open SPICE console (ADR 0056): its ticket was redeemed by the session's first channel.
            try
            {
                await RelaySpiceChannelAsync(http, joined, redeemer: false, nodes, audit);
            }
            finally
            {
                joined.Leave();
            }

            return;
        }

        if (grant is null || !http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = grant is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
            return;
        }

        // Registered before the user is read: a disable (or role change) that lands after this read ends the session
        // through the registry, one that landed before it is seen by the read (ADR 0046); nothing slips between. A SPICE
        // console's session admits its other channels until its last one closes (ADR 0056).
        if (grant.Kind == "spice")
        {
            // Checked again where it counts: two tickets issued before either was redeemed.
            if (spiceSessions.TryOpen(ticket, grant, address, out _) is not { } spice)
            {
                await audit.RecordAsync(http, null, "console", grant.Target, "refused", "spice: another SPICE console is open on the machine");
                http.Response.StatusCode = StatusCodes.Status409Conflict;
                return;
            }

            try
            {
                if (await users.FindByIdAsync(grant.UserId, http.RequestAborted) is not { DisabledAt: null } owner || owner.Role != grant.Role)
                {
                    spice.Session.End(ConsoleSessions.AccountDisabled);
                    http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                await RelaySpiceChannelAsync(http, spice, redeemer: true, nodes, audit);
            }
            finally
            {
                spice.Leave();
            }

            return;
        }

        using var session = sessions.Open(grant, http.RequestAborted);

        // A ticket issued in the 30 s before its user was disabled, deleted or given another role opens nothing (ADR 0043,
        // 0046): access was checked with the role the ticket carries.
        if (await users.FindByIdAsync(grant.UserId, http.RequestAborted) is not { DisabledAt: null } current || current.Role != grant.Role)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var user = new UserEntity { Id = grant.UserId, Username = grant.Username, Role = grant.Role };
        var node = nodes.Find(grant.Node);
        var clock = Stopwatch.StartNew();
        (long In, long Out) moved;
        // Every node hands its console back as a byte stream (ADR 0036): the embedded node's VM socket, or the connection
        // a remote agent opens back to us; the gateway only relays.
        if (node?.Consoles is not { } consoles)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        Stream console;
        try
        {
            console = await consoles.OpenAsync(grant.VmId, grant.Kind, session.Token);
            // A watcher's input never reaches the guest (ADR 0050): filtered here, where the browser's bytes enter. A
            // serial console is shared on the node (ADR 0054), so a watcher of one drops every byte it sends.
            console = grant.Watch ? new WatchOnlyStream(console, grant.Kind == "vnc" ? new RfbViewOnlyFilter() : new DropAllInput()) : console;
        }
        catch (Exception e) when (e is Core.Errors.SkillVlException || (e is OperationCanceledException && session.EndReason is not null))
        {
            var why = session.EndReason ?? e.Message;
            await audit.RecordAsync(http, user, "console", grant.Target, "failed", $"{grant.Kind}: {why}");
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        await using (console)
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            var kind = grant.Watch ? grant.Kind + " (watch only)" : grant.Kind;
            await audit.RecordAsync(http, user, "console", grant.Target, "opened", node.Connection is null ? kind : kind + " via node " + grant.Node);
            // Ended by the platform: the browser is told why with a policy-violation close (its page shows the reason).
            moved = await ConsoleRelay.PumpAsync(socket, console, session.Token,
                () => session.EndReason is { } reason ? (WebSocketCloseStatus.PolicyViolation, reason) : (WebSocketCloseStatus.NormalClosure, "console closed"));
        }

        var ended = session.EndReason is { } endedBecause ? "; ended: " + endedBecause : "";
        var watched = console is WatchOnlyStream watch ? $" (watch only: {watch.DroppedBytes} bytes of input dropped)" : "";
        await audit.RecordAsync(http, user, "console", grant.Target, "closed",
            $"{grant.Kind}: {clock.Elapsed.TotalSeconds:F0} s, {moved.In} bytes in, {moved.Out} bytes out{watched}{ended}");
    }

    private static async Task RelaySpiceChannelAsync(HttpContext http, SpiceSession spice, bool redeemer, NodeRegistry nodes, AuditService audit)
    {
        var grant = spice.Grant;
        var user = new UserEntity { Id = grant.UserId, Username = grant.Username, Role = grant.Role };
        if (nodes.Find(grant.Node) is not { Consoles: { } consoles } node)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        await SpiceChannelRelay.RelayAsync(http, spice, redeemer, consoles, user, node.Connection is null ? null : grant.Node, audit);
    }

    /// <summary>The agent's end of a console relay session (authenticated by its node credential).</summary>
    public static async Task AgentRelayAsync(string session, HttpContext http, NodeService nodes, ConsoleRendezvous rendezvous)
    {
        if (await nodes.AuthenticateAsync(AuthSetup.BearerToken(http.Request), http.RequestAborted) is not { } node || !http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        // Bound to the node the session was sent to (ADR 0046): another node's connection is refused like an unknown
        // session, so it learns nothing of which sessions exist.
        if (rendezvous.TryOffer(session, node.Name, socket, out var done) != ConsoleOffer.Accepted)
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "unknown console session", closing.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        // Keep this request (and with it the socket) alive until the browser's side is finished.
        await done.WaitAsync(http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
