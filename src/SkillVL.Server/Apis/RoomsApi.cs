using System.Text;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Server.Data;
using SkillVL.Server.Rooms;

namespace SkillVL.Server.Apis;

public static class RoomsApi
{
    /// <summary>A room document is small; anything larger is a mistake (or an attack).</summary>
    private const int MaxDocumentBytes = 1 << 20;

    private static readonly string[] DocumentTypes = ["application/yaml", "application/json", "text/yaml", "text/plain"];

    public static RouteGroupBuilder MapRoomsApi(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms").WithTags("Rooms");

        rooms.MapGet("/", async (SkillVlDbContext db, CancellationToken ct) =>
        {
            var all = await LoadRooms(db).OrderBy(r => r.Name).ToListAsync(ct);
            return TypedResults.Ok(all.Select(RoomViews.Summary).ToList());
        }).WithSummary("List rooms");

        rooms.MapPost("/", async (HttpRequest request, RoomService service, CancellationToken ct) =>
        {
            var document = await ReadDocumentAsync(request, ct);
            return document is null ? TooLarge() : Answer(await service.ApplyAsync(null, document, createOnly: true, ct));
        })
        .Accepts<string>(false, DocumentTypes[0], DocumentTypes[1..])
        .Produces<TaskInfo>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Create a room from a room.yaml v1 document (YAML or JSON)");

        rooms.MapPut("/{name}", async (string name, HttpRequest request, RoomService service, CancellationToken ct) =>
        {
            var document = await ReadDocumentAsync(request, ct);
            return document is null ? TooLarge() : Answer(await service.ApplyAsync(name, document, createOnly: false, ct));
        })
        .Accepts<string>(false, DocumentTypes[0], DocumentTypes[1..])
        .Produces<TaskInfo>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Create or update (apply) a room; a changed definition converges");

        rooms.MapGet("/{name}", async (string name, SkillVlDbContext db, CancellationToken ct) =>
        {
            var room = await LoadRooms(db).FirstOrDefaultAsync(r => r.Name == name, ct);
            return room is null ? ApiResults.NotFound($"Room '{name}'") : Results.Ok(RoomViews.Details(room));
        })
        .Produces<RoomDetails>()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("Get a room: definition and observed state");

        rooms.MapDelete("/{name}", async (string name, RoomService service, CancellationToken ct) =>
        {
            var task = await service.DeleteAsync(name, ct);
            return task is null ? ApiResults.NotFound($"Room '{name}'") : Accepted(task);
        })
        .Produces<TaskInfo>(StatusCodes.Status202Accepted)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("Delete a room and everything it has on its nodes");

        rooms.MapPost("/{name}/start", (string name, RoomService service, CancellationToken ct) => SetPower(name, true, service, ct))
            .Produces<TaskInfo>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Start every machine of a room");
        rooms.MapPost("/{name}/stop", (string name, RoomService service, CancellationToken ct) => SetPower(name, false, service, ct))
            .Produces<TaskInfo>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Stop every machine of a room");
        return api;
    }

    internal static IQueryable<RoomEntity> LoadRooms(SkillVlDbContext db) =>
        db.Rooms.AsNoTracking()
            .Include(r => r.Networks)
            .Include(r => r.Machines).ThenInclude(m => m.Nics)
            .AsSplitQuery();

    internal static IResult Accepted(TaskInfo task) => Results.Accepted(ApiPaths.Task(task.Id), task);

    private static async Task<IResult> SetPower(string name, bool run, RoomService service, CancellationToken ct)
    {
        var task = await service.SetPowerAsync(name, run, ct);
        return task is null ? ApiResults.NotFound($"Room '{name}'") : Accepted(task);
    }

    private static IResult Answer(ApplyResult result) =>
        result switch
        {
            { Conflict: { } conflict } => ApiResults.Conflict(conflict),
            { Task: { } task } => Accepted(task),
            _ => ApiResults.Invalid(result.Errors, "The room definition is not valid."),
        };

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Document too large", detail: $"A room document may be at most {MaxDocumentBytes} bytes.");

    /// <summary>The raw document text, or null when it is larger than <see cref="MaxDocumentBytes"/>.</summary>
    private static async Task<string?> ReadDocumentAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
