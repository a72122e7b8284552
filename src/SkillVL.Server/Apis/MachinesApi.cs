using SkillVL.Core.Api;
using SkillVL.Core.Errors;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;
using SkillVL.Server.Rooms;

namespace SkillVL.Server.Apis;

public static class MachinesApi
{
    private static readonly TimeSpan DefaultExecTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxExecTimeout = TimeSpan.FromMinutes(10);

    public static RouteGroupBuilder MapMachinesApi(this RouteGroupBuilder api)
    {
        var machines = api.MapGroup("/rooms/{room}/machines").WithTags("Machines");

        machines.MapGet("/{machine}", async (string room, string machine, HttpContext http, SkillVlDbContext db, AccessService access, Consoles.ConsoleSessions consoles, CancellationToken ct) =>
        {
            var entity = await access.FindRoomAsync(http.Caller(), db.ReadRooms(), room, ct);
            var found = entity?.Machines.FirstOrDefault(m => m.Name == machine);
            return found is null
                ? ApiResults.NotFound($"Machine '{RoomReference.Parse(room)}/{machine}'")
                : Results.Ok(RoomViews.Machine(found, entity!.Networks.ToDictionary(n => n.Id, StringComparer.Ordinal)) with
                {
                    FencedCopies = await CheckoutsApi.FencedAsync(db, found.Id, ct),
                    Viewers = consoles.ViewersOf(found.Id, http.Caller().Id),
                });
        })
        .Produces<MachineStatus>().ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("Get one machine's state");

        foreach (var action in new[] { "start", "stop", "restart" })
        {
            machines.MapPost($"/{{machine}}/{action}", (string room, string machine, HttpContext http, RoomService service, AccessService access, CancellationToken ct) =>
                RoomsApi.WithRoomAsync(room, http, service, access, async entity =>
                    await service.MachineActionAsync(entity, machine, action, ct) is { } result
                        ? ApiResults.Answer(result)
                        : ApiResults.NotFound($"Machine '{RoomReference.Parse(room)}/{machine}'"), ct))
            .Produces<TaskInfo>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary($"{char.ToUpperInvariant(action[0])}{action[1..]} a machine");
        }

        machines.MapPost("/{machine}/exec", ExecAsync)
            .Produces<ExecResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Run a program in the guest through its agent and wait for it; at the timeout it is killed (timedOut); each stream is cut at 1 MiB (outputTruncated)");
        return api;
    }

    private static async Task<IResult> ExecAsync(
        string room,
        string machine,
        ExecRequest request,
        HttpContext http,
        SkillVlDbContext db,
        AccessService access,
        NodeRegistry nodes,
        CancellationToken ct)
    {
        // Every exec is audited with its command line (the middleware records who, when, outcome).
        http.Items[AuditService.DetailItem] = request.Command is { Count: > 0 } argv ? "command: " + string.Join(' ', argv) : null;
        // The object first: whoever cannot see the machine learns nothing, not even how the request was wrong.
        var roomEntity = await access.FindRoomAsync(http.Caller(), db.ReadRooms(), room, ct);
        var entity = roomEntity is { DeletionRequested: false } ? roomEntity.Machines.FirstOrDefault(m => m.Name == machine) : null;
        var node = entity is null ? null : nodes.Find(entity.NodeName);
        if (entity is null || node is null)
        {
            return ApiResults.NotFound($"Machine '{RoomReference.Parse(room)}/{machine}'");
        }

        if (request.Command is not { Count: > 0 } || string.IsNullOrEmpty(request.Command[0]))
        {
            return ApiResults.Invalid([new("command", "must name a program to run, e.g. [\"/bin/sh\", \"-c\", \"uptime\"].")], "The exec request is not valid.");
        }

        var timeout = request.Timeout ?? DefaultExecTimeout;
        if (timeout <= TimeSpan.Zero || timeout > MaxExecTimeout)
        {
            return ApiResults.Invalid([new("timeout", $"must be between 0 and {MaxExecTimeout}.")], "The exec request is not valid.");
        }

        try
        {
            var result = await node.Vms.GuestExecAsync(entity.Id, request.Command, timeout, ct);
            return Results.Ok(new ExecResponse(result.ExitCode, result.Stdout, result.Stderr, result.OutputTruncated, result.TimedOut));
        }
        catch (InvalidVmStateException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Machine not running", detail: $"{RoomReference.Parse(room)}/{machine}: {ex.Message}");
        }
        catch (GuestAgentUnavailableException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Guest agent unavailable", detail: $"{RoomReference.Parse(room)}/{machine}: {ex.Message}");
        }
        catch (DriverException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Node error", detail: $"{RoomReference.Parse(room)}/{machine}: {ex.Message}");
        }
    }
}
