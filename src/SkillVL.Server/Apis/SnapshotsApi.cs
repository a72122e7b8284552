using SkillVL.Core.Api.Snapshots;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Apis.Snapshots;

namespace SkillVL.Server.Apis;

/// <summary>
/// Snapshots of a machine and of a whole room (issue 18, ADR 0051). Whoever may see the room (its owner, the course's
/// teacher, an admin) may take, revert and delete them; anyone else gets 404, before any check of the request.
/// </summary>
public static class SnapshotsApi
{
    public static RouteGroupBuilder MapSnapshotsApi(this RouteGroupBuilder api)
    {
        var machines = api.MapGroup("/rooms/{room}/machines/{machine}/snapshots").WithTags("Snapshots");
        machines.MapGet("", (string room, string machine, HttpContext http, SkillVlDbContext db, AccessService access, SnapshotService service, CancellationToken ct) =>
            WithMachineAsync(room, machine, http, db, access, async (_, m) => Results.Ok(await service.ListAsync(m, ct)), ct))
        .Produces<List<SnapshotInfo>>().ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("List a machine's snapshots, oldest first");

        machines.MapPost("", (string room, string machine, CreateSnapshotRequest request, HttpContext http, SkillVlDbContext db, AccessService access,
            SnapshotService service, CancellationToken ct) =>
            WithMachineAsync(room, machine, http, db, access, async (r, m) =>
                Answer(await service.CreateAsync(r, m, request, http.Caller().Username, ct), created: true), ct))
        .Produces<SnapshotInfo>(StatusCodes.Status201Created).ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithSummary("Take a snapshot of a machine: its disk, or with ram=true also its memory so that running processes come back on revert");

        machines.MapPost("/{name}/revert", (string room, string machine, string name, HttpContext http, SkillVlDbContext db, AccessService access,
            SnapshotService service, CancellationToken ct) =>
            WithMachineAsync(room, machine, http, db, access, async (r, m) => Answer(await service.RevertAsync(r, m, name, ct)), ct))
        .Produces<SnapshotInfo>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithSummary("Revert a machine to a snapshot: with RAM the guest goes on from that moment; disk-only a running machine boots again from it");

        machines.MapDelete("/{name}", (string room, string machine, string name, HttpContext http, SkillVlDbContext db, AccessService access,
            SnapshotService service, CancellationToken ct) =>
            WithMachineAsync(room, machine, http, db, access, async (r, m) =>
                await service.DeleteAsync(r, m, name, ct) is { Status: not 0 } refused ? Refusal(refused) : Results.NoContent(), ct))
        .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Delete a machine's snapshot");

        var rooms = api.MapGroup("/rooms/{room}/snapshots").WithTags("Snapshots");
        rooms.MapGet("", (string room, HttpContext http, SkillVlDbContext db, AccessService access, SnapshotService service, CancellationToken ct) =>
            WithRoomAsync(room, http, db, access, async r => Results.Ok(await service.ListRoomAsync(r, ct)), ct))
        .Produces<List<SnapshotInfo>>().ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("List the snapshots of every machine of a room");

        rooms.MapPost("", (string room, CreateSnapshotRequest request, HttpContext http, SkillVlDbContext db, AccessService access,
            SnapshotService service, CancellationToken ct) =>
            WithRoomAsync(room, http, db, access, async r => Answer(await service.CreateRoomAsync(r, request, http.Caller().Username, ct), created: true), ct))
        .Produces<List<SnapshotInfo>>(StatusCodes.Status201Created).ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithSummary("Take a snapshot of the same name of every machine of a room, one after another; all or none");

        rooms.MapPost("/{name}/revert", (string room, string name, HttpContext http, SkillVlDbContext db, AccessService access,
            SnapshotService service, CancellationToken ct) =>
            WithRoomAsync(room, http, db, access, async r => Answer(await service.ForRoomAsync(r, name, revert: true, ct)), ct))
        .Produces<List<SnapshotInfo>>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Revert every machine of a room that has the snapshot to it");

        rooms.MapDelete("/{name}", (string room, string name, HttpContext http, SkillVlDbContext db, AccessService access,
            SnapshotService service, CancellationToken ct) =>
            WithRoomAsync(room, http, db, access, async r =>
                await service.ForRoomAsync(r, name, revert: false, ct) is { Status: not 0 } refused ? Refusal(refused) : Results.NoContent(), ct))
        .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Delete the snapshot of that name of every machine of a room");
        return api;
    }

    /// <summary>The object first: whoever cannot see the room learns nothing, not even how the request was wrong.</summary>
    private static async Task<IResult> WithRoomAsync(
        string room, HttpContext http, SkillVlDbContext db, AccessService access, Func<RoomEntity, Task<IResult>> action, CancellationToken ct)
    {
        var entity = await access.FindRoomAsync(http.Caller(), db.ReadRooms(), room, ct);
        return entity is { DeletionRequested: false } ? await action(entity) : ApiResults.NotFound($"Room '{RoomReference.Parse(room)}'");
    }

    private static Task<IResult> WithMachineAsync(
        string room, string machine, HttpContext http, SkillVlDbContext db, AccessService access, Func<RoomEntity, MachineEntity, Task<IResult>> action, CancellationToken ct) =>
        WithRoomAsync(room, http, db, access, async entity =>
            entity.Machines.FirstOrDefault(m => m.Name == machine) is { } found
                ? await action(entity, found)
                : ApiResults.NotFound($"Machine '{RoomReference.Parse(room)}/{machine}'"), ct);

    private static IResult Answer<T>(SnapshotOutcome<T> outcome, bool created = false) =>
        outcome.Status != 0 ? Refusal(outcome) : created ? Results.Json(outcome.Value, statusCode: StatusCodes.Status201Created) : Results.Ok(outcome.Value);

    private static IResult Refusal<T>(SnapshotOutcome<T> outcome) => outcome switch
    {
        { Status: 400 } => ApiResults.Invalid(outcome.Field ?? "", outcome.Detail!, "The snapshot request is not valid."),
        { Status: 404 } => ApiResults.NotFound(outcome.Detail!),
        { Status: 409 } => ApiResults.Conflict(outcome.Detail!),
        { Quota: { } quota } => ApiResults.QuotaExceeded(quota),
        _ => Results.Problem(statusCode: outcome.Status, title: outcome.Status == 503 ? "Node unavailable" : "Node error", detail: outcome.Detail),
    };
}
