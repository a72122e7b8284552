using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Migrations;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;
using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Apis;

/// <summary>Live migration of a machine to another node (issue 6): a resource with phases, progress and metrics.</summary>
public static class MigrationsApi
{
    public static RouteGroupBuilder MapMigrationsApi(this RouteGroupBuilder api)
    {
        var migrations = api.MapGroup("/migrations").WithTags("Migrations");

        migrations.MapPost("/", async (CreateMigrationRequest request, HttpContext http, MigrationService service, CancellationToken ct) =>
        {
            var result = await service.CreateAsync(http.Caller(), request, ct);
            return result switch
            {
                { Created: { } created } => ApiResults.Accepted(MigrationViews.Info(created)),
                { NotFound: { } what } => ApiResults.NotFound(what),
                { Forbidden: { } forbidden } => NodePinAnswers.Answer(new NodePinning.Refusal(true, forbidden), "The migration request is not valid."),
                { Conflict: { } conflict } => ApiResults.Conflict(conflict),
                _ => ApiResults.Invalid(result.Errors ?? [], "The migration request is not valid."),
            };
        })
        .Produces<MigrationInfo>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Move a running machine to another node (live: disk, RAM and its networks follow); follow it at the Location");

        migrations.MapGet("/", async (string? machine, int? limit, HttpContext http, MigrationService service, CancellationToken ct) =>
        {
            var visible = await service.VisibleAsync(http.Caller(), ct);
            if (machine is not null)
            {
                visible = visible.Where(m => m.MachineId == machine || (m.RoomName + "/" + m.MachineName) == machine);
            }

            var rows = await visible.OrderByDescending(m => m.CreatedAt).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(ct);
            return TypedResults.Ok(rows.Select(m => MigrationViews.Info(m, withLog: false)).ToList());
        })
        .WithSummary("List the migrations of machines you can see, newest first (?machine=ID or room/machine)");

        migrations.MapGet("/{migration}", async (string migration, HttpContext http, MigrationService service, CancellationToken ct) =>
        {
            var visible = await service.VisibleAsync(http.Caller(), ct);
            return await visible.Include(m => m.Log).FirstOrDefaultAsync(m => m.Id == migration, ct) is { } found
                ? Results.Ok(MigrationViews.Info(found))
                : ApiResults.NotFound($"Migration '{migration}'");
        })
        .Produces<MigrationInfo>().ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("Get a migration: phase, progress, parameters with their reasons, prediction, metrics and log");

        migrations.MapPost("/{migration}/cancel", async (string migration, HttpContext http, MigrationService service, CancellationToken ct) =>
        {
            var (found, conflict) = await service.CancelAsync(http.Caller(), migration, ct);
            return found is null ? ApiResults.NotFound($"Migration '{migration}'")
                : conflict is not null ? ApiResults.Conflict(conflict)
                : ApiResults.Accepted(MigrationViews.Info(found));
        })
        .Produces<MigrationInfo>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Cancel a migration before its switch-over: the machine keeps running where it was, the target's copy is removed");
        return api;
    }
}
