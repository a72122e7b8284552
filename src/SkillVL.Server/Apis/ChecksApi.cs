using System.Globalization;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Checks;
using SkillVL.Server.Checks;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Apis;

/// <summary>
/// A room's exercise checks (issue 17, ADR 0042): run them ("Check my work") and read the latest results. Whoever may
/// exec in the room may run its checks — its owner, the course's teacher, an admin; anyone else gets 404, as for the room.
/// </summary>
public static class ChecksApi
{
    public static RouteGroupBuilder MapChecksApi(this RouteGroupBuilder api)
    {
        var checks = api.MapGroup("/rooms/{room}").WithTags("Checks");

        checks.MapPost("/checks", RunAsync)
            .Produces<List<CheckResultInfo>>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Run the room's checks (each in its machine's guest) and store the results; a machine that cannot run its check fails it with the reason");

        checks.MapGet("/checks", async (string room, HttpContext http, SkillVlDbContext db, AccessService access, CheckRunner runner, CancellationToken ct) =>
            await access.FindRoomAsync(http.Caller(), db.Rooms, room, ct) is { } entity
                ? Results.Ok(await runner.LatestAsync(entity.Id, ct))
                : ApiResults.NotFound($"Room '{RoomReference.Parse(room)}'"))
            .Produces<List<CheckResultInfo>>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The results of the room's latest check run (empty before the first)");
        return api;
    }

    private static async Task<IResult> RunAsync(
        string room,
        HttpContext http,
        SkillVlDbContext db,
        AccessService access,
        CheckRunner runner,
        CheckRunGate gate,
        IOptions<SkillVlServerOptions> options,
        CancellationToken ct)
    {
        var caller = http.Caller();
        var entity = await access.FindRoomAsync(caller, RoomsApi.LoadRooms(db), room, ct);
        if (entity is not { DeletionRequested: false })
        {
            return ApiResults.NotFound($"Room '{RoomReference.Parse(room)}'");
        }

        if (gate.TryStart(entity.Id, options.Value.Checks.MinInterval) is { } wait)
        {
            if (wait == TimeSpan.Zero)
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status409Conflict, title: "Checks already running", detail: $"The checks of room '{entity.Name}' are running now; their results come with that run.");
            }

            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Checks ran a moment ago",
                detail: $"The checks of room '{entity.Name}' ran a moment ago; run them again in {seconds.ToString(CultureInfo.InvariantCulture)} s.");
        }

        try
        {
            var results = await runner.RunAsync(entity, caller.Username, ct);
            // The audit entry (the middleware's) says what came of the run, without any output.
            http.Items[Audit.AuditService.DetailItem] = $"{results.Count(r => r.Passed)} of {results.Count} passed";
            return Results.Ok(results);
        }
        finally
        {
            gate.End(entity.Id);
        }
    }
}
