using System.Globalization;
using SkillVL.Core.Api.Checks;
using SkillVL.Server.Checks;
using SkillVL.Server.Data;
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
        string room, HttpContext http, SkillVlDbContext db, AccessService access, GatedCheckRun checks, CancellationToken ct)
    {
        var caller = http.Caller();
        var entity = await access.FindRoomAsync(caller, db.ReadRooms(), room, ct);
        if (entity is not { DeletionRequested: false })
        {
            return ApiResults.NotFound($"Room '{RoomReference.Parse(room)}'");
        }

        var answer = await checks.RunAsync(entity, caller.Username, ct);
        if (answer.Results is not { } results)
        {
            if (answer.Wait == TimeSpan.Zero)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Checks already running", detail: answer.Refusal(entity.Name));
            }

            http.Response.Headers.RetryAfter = answer.WaitSeconds.ToString(CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Checks ran a moment ago", detail: answer.Refusal(entity.Name));
        }

        // The audit entry (the middleware's) says what came of the run, without any output.
        http.Items[Audit.AuditService.DetailItem] = $"{results.Count(r => r.Passed)} of {results.Count} passed";
        return Results.Ok(results);
    }
}
