using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;
using SkillVL.Server.Rooms;
using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Apis;

public static class RoomsApi
{
    internal static readonly string[] DocumentTypes = ["application/yaml", "application/json", "text/yaml", "text/plain"];

    public static RouteGroupBuilder MapRoomsApi(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms").WithTags("Rooms");

        rooms.MapGet("/", async (HttpContext http, SkillVlDbContext db, AccessService access, CancellationToken ct) =>
        {
            var visible = await access.VisibleRooms(http.Caller(), db.ReadRooms()).OrderBy(r => r.Name).ToListAsync(ct);
            var names = await RoomViews.NamesAsync(db, visible, ct);
            return TypedResults.Ok(visible.Select(r => RoomViews.Summary(r, names)).ToList());
        }).WithSummary("List the rooms you can see (yours; a teacher's also their courses' instances; an admin's all)");

        rooms.MapPost("/", async (HttpContext http, HttpRequest request, RoomService service, UserDirectory users, NodeRegistry nodes, CancellationToken ct) =>
        {
            var document = await ReadDocumentAsync(request, ct);
            if (document is null)
            {
                return TooLarge(request);
            }

            if (NodePinAnswers.Refuse(http.Caller(), new(http.Caller().Id), document, null, nodes) is { } refused)
            {
                return refused;
            }

            var owner = await users.FindByIdAsync(http.Caller().Id, ct);
            return ApiResults.Answer(await service.ApplyAsync(owner!, null, null, document, ct));
        })
        .Accepts<string>(false, DocumentTypes[0], DocumentTypes[1..])
        .Produces<TaskInfo>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Create a room from a room.yaml v1 document (YAML or JSON)");

        rooms.MapPut("/{room}", async (string room, HttpContext http, HttpRequest request, RoomService service, AccessService access, UserDirectory users, NodeRegistry nodes,
            SkillVlDbContext db, CancellationToken ct) =>
        {
            var document = await ReadDocumentAsync(request, ct);
            if (document is null)
            {
                return TooLarge(request);
            }

            var caller = http.Caller();
            var existing = await access.FindRoomAsync(caller, service.TrackedRooms, room, ct);
            var target = await PinFacts.TargetAsync(db, existing?.OwnerId ?? caller.Id, existing?.CourseId, ct);
            if (NodePinAnswers.Refuse(caller, target, document, existing, nodes) is { } refused)
            {
                return refused;
            }

            var owner = await users.FindByIdAsync(existing?.OwnerId ?? caller.Id, ct);
            return ApiResults.Answer(await service.ApplyAsync(owner!, existing, existing is null ? room : null, document, ct));
        })
        .Accepts<string>(false, DocumentTypes[0], DocumentTypes[1..])
        .Produces<TaskInfo>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .WithSummary("Create or update (apply) a room; a changed definition converges");

        rooms.MapGet("/{room}", async (string room, HttpContext http, SkillVlDbContext db, AccessService access, Consoles.ConsoleSessions consoles, CancellationToken ct) =>
        {
            var entity = await access.FindRoomAsync(http.Caller(), db.ReadRooms(), room, ct);
            if (entity is null)
            {
                return ApiResults.NotFound($"Room '{RoomReference.Parse(room)}'");
            }

            // Who else has a console open on each machine (ADR 0050): a student sees a teacher watching.
            var details = RoomViews.Details(entity, await RoomViews.NamesAsync(db, [entity], ct));
            return Results.Ok(details with
            {
                Machines = [.. details.Machines.Select(m => m with { Viewers = consoles.ViewersOf(m.Id, http.Caller().Id) })],
            });
        })
        .Produces<RoomDetails>()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("Get a room (by id, or by name among your own): definition and observed state");

        rooms.MapDelete("/{room}", (string room, HttpContext http, RoomService service, AccessService access, CancellationToken ct) =>
            WithRoomAsync(room, http, service, access, async entity => ApiResults.Accepted(await service.DeleteAsync(entity, ct)), ct))
        .Produces<TaskInfo>(StatusCodes.Status202Accepted)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("Delete a room and everything it has on its nodes");

        rooms.MapPost("/{room}/start", (string room, HttpContext http, RoomService service, AccessService access, CancellationToken ct) =>
            WithRoomAsync(room, http, service, access, async entity => ApiResults.Answer(await service.SetPowerAsync(entity, true, ct)), ct))
            .Produces<TaskInfo>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Start every machine of a room");
        rooms.MapPost("/{room}/stop", (string room, HttpContext http, RoomService service, AccessService access, CancellationToken ct) =>
            WithRoomAsync(room, http, service, access, async entity => ApiResults.Answer(await service.SetPowerAsync(entity, false, ct)), ct))
            .Produces<TaskInfo>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Stop every machine of a room");
        rooms.MapPost("/{room}/reset", (string room, HttpContext http, RoomService service, AccessService access, CancellationToken ct) =>
            WithRoomAsync(room, http, service, access, async entity => ApiResults.Answer(await service.ResetAsync(entity, ct)), ct))
            .Produces<TaskInfo>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Rebuild the room's machines with fresh disks (a course instance: from its published baseline)");
        rooms.MapPost("/{room}/upgrade", (string room, HttpContext http, RoomService service, AccessService access, CancellationToken ct) =>
            WithRoomAsync(room, http, service, access, async entity => ApiResults.Answer(await service.UpgradeAsync(entity, ct)), ct))
            .Produces<TaskInfo>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Move a course instance to the course's latest published version");
        return api;
    }

    /// <summary>Runs <paramref name="action"/> on the (tracked) room the caller can see, else 404.</summary>
    internal static async Task<IResult> WithRoomAsync(
        string room, HttpContext http, RoomService service, AccessService access, Func<RoomEntity, Task<IResult>> action, CancellationToken ct)
    {
        var entity = await access.FindRoomAsync(http.Caller(), service.TrackedRooms, room, ct);
        return entity is null ? ApiResults.NotFound($"Room '{RoomReference.Parse(room)}'") : await action(entity);
    }

    internal static IResult TooLarge(HttpRequest request) =>
        Results.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Document too large",
            detail: $"A room document may be at most {MaxDocumentBytes(request)} bytes (SkillVL:Limits:DocumentBytes).",
            extensions: new Dictionary<string, object?> { ["field"] = "document", ["limit"] = MaxDocumentBytes(request) });

    /// <summary>
    /// A room document is small (a room at every other limit is under 20 KiB); anything larger is a mistake or an attack,
    /// refused before it is parsed.
    /// </summary>
    private static int MaxDocumentBytes(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<IOptions<SkillVlServerOptions>>().Value.Limits.DocumentBytes;

    /// <summary>The raw document text, or null when it is larger than <see cref="MaxDocumentBytes"/>.</summary>
    internal static async Task<string?> ReadDocumentAsync(HttpRequest request, CancellationToken ct)
    {
        var maxDocumentBytes = MaxDocumentBytes(request);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxDocumentBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
