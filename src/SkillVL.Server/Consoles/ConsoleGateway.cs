using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using SkillVL.Agent;
using SkillVL.Core.Api;
using SkillVL.Server.Apis;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;
using SkillVL.Server.Rooms;

namespace SkillVL.Server.Consoles;

/// <summary>
/// Browser consoles through the Server: a user who may see a machine asks for a ticket (an API call, so
/// authenticated and audited like any other); the browser opens the ticket's WebSocket (browsers cannot send a
/// bearer header on WebSockets — the single-use ticket is the credential) and the gateway relays bytes between it
/// and the VM's console socket (VNC → noVNC, serial → xterm.js). VNC and serial are unix sockets in the runtime
/// directory, never reachable from the network (ADR 0003). Every session is audited with its length.
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
            .WithSummary("A single-use, 30-second ticket for the machine's VNC or serial console WebSocket");
        return api;
    }

    public static void MapConsoleGateway(this WebApplication app) =>
        app.Map(WebSocketPath, RelayAsync).ExcludeFromDescription();

    private static async Task<IResult> IssueAsync(
        string room, string machine, ConsoleTicketRequest request, HttpContext http, RoomService rooms, AccessService access,
        NodeRegistry nodes, ConsoleTickets tickets)
    {
        var caller = http.Caller();
        var entity = await access.FindRoomAsync(caller, RoomsApi.LoadRooms(rooms.Db), room, http.RequestAborted);
        var found = entity is { DeletionRequested: false } ? entity.Machines.FirstOrDefault(m => m.Name == machine) : null;
        if (found is null)
        {
            return ApiResults.NotFound($"Machine '{room}/{machine}'");
        }

        if (request.Kind is not ("vnc" or "serial"))
        {
            return ApiResults.Invalid("kind", "must be vnc or serial.", "The console request is not valid.");
        }

        if (found.ObservedState != MachineStates.Running)
        {
            return ApiResults.Conflict($"Machine {room}/{machine} is {found.ObservedState}; start it to open its console.");
        }

        if (nodes.Find(found.NodeName) is not LocalNodeAgent)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status501NotImplemented,
                title: "Console not available yet",
                detail: $"Machine {room}/{machine} runs on node {found.NodeName}; consoles of machines on agent nodes are not relayed yet (only the embedded node's).");
        }

        http.Items[AuditService.DetailItem] = "console " + request.Kind;
        var (ticket, expires) = tickets.Issue(new ConsoleGrant(caller.Id, caller.Username, caller.Role, found.Id, found.NodeName, $"room={entity!.Name} machine={machine}", request.Kind));
        return Results.Ok(new ConsoleTicket($"{WebSocketPath}?ticket={Uri.EscapeDataString(ticket)}", request.Kind, expires));
    }

    private static async Task RelayAsync(HttpContext http, ConsoleTickets tickets, NodeRegistry nodes, AuditService audit)
    {
        var grant = tickets.Redeem(http.Request.Query["ticket"]);
        if (grant is null || !http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = grant is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
            return;
        }

        if (nodes.Find(grant.Node) is not LocalNodeAgent node)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var user = new UserEntity { Id = grant.UserId, Username = grant.Username, Role = grant.Role };
        using var console = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await console.ConnectAsync(new UnixDomainSocketEndPoint(node.ConsoleSocket(grant.VmId, grant.Kind)), http.RequestAborted);
        }
        catch (SocketException e)
        {
            await audit.RecordAsync(http, user, "console", grant.Target, "failed", $"{grant.Kind}: {e.Message}");
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        await audit.RecordAsync(http, user, "console", grant.Target, "opened", grant.Kind);
        var clock = Stopwatch.StartNew();
        long toBrowser = 0, toConsole = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var down = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await console.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, stop.Token);
                toBrowser += read;
            }
        }, stop.Token);
        var up = Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await console.SendAsync(buffer.AsMemory(0, received.Count), SocketFlags.None, stop.Token);
                toConsole += received.Count;
            }
        }, stop.Token);
        try
        {
            await Task.WhenAny(down, up);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(down, up).ContinueWith(_ => { }, TaskScheduler.Default);
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "console closed", CancellationToken.None)
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await audit.RecordAsync(http, user, "console", grant.Target, "closed",
                $"{grant.Kind}: {clock.Elapsed.TotalSeconds:F0} s, {toConsole} bytes in, {toBrowser} bytes out");
        }
    }
}
