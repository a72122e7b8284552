using SkillVL.Core.Api.Placements;
using SkillVL.Core.Placement.Control;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;
using SkillVL.Server.PlacementControl;

namespace SkillVL.Server.Apis;

/// <summary>
/// Placement policies, the controller's decision log, and accepting a recommendation (issue 14, Deliver 3; ADR 0030).
/// Who may do what is <see cref="PlacementPolicyService"/>'s; the decision log and a manual evaluation are an admin's
/// (the log names every user's machines and nodes).
/// </summary>
public static class PlacementApi
{
    private const string InvalidPolicy = "The placement policy is not valid.";

    public static RouteGroupBuilder MapPlacementApi(this RouteGroupBuilder api)
    {
        var placement = api.MapGroup("/placement").WithTags("Placement");
        placement.MapGet("/policies", async (HttpContext http, PlacementPolicyService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ListAsync(http.Caller(), ct)))
            .WithSummary("The placement policies you may read: global, and those of your courses, rooms and yourself (an admin: all)");

        foreach (var pattern in new[] { "/policies/{scope}", "/policies/{scope}/{target}" })
        {
            placement.MapGet(pattern, async (string scope, string? target, HttpContext http, PlacementPolicyService service, CancellationToken ct) =>
                Answer(await service.GetAsync(http.Caller(), scope, target, ct)))
                .Produces<PlacementPolicyInfo>().ProducesProblem(StatusCodes.Status404NotFound)
                .WithSummary("The placement policy set at a scope: global, course/ID, user/ID or room/ID");
            placement.MapPut(pattern, async (string scope, string? target, PlacementPolicyRequest request, HttpContext http, PlacementPolicyService service, CancellationToken ct) =>
                Answer(await service.PutAsync(http.Caller(), scope, target, request, ct)))
                .Produces<PlacementPolicyInfo>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
                .WithSummary("Set the placement policy at a scope (off | suggest | auto, hysteresis, minimum stay, limits, quiet windows); replaces what was set there");
            placement.MapDelete(pattern, async (string scope, string? target, HttpContext http, PlacementPolicyService service, CancellationToken ct) =>
                Answer(await service.DeleteAsync(http.Caller(), scope, target, ct)))
                .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
                .WithSummary("Remove the placement policy at a scope: the less specific scopes decide again");
        }

        placement.MapGet("/decisions", async (int? limit, HttpContext http, PlacementDecisionStore decisions, CancellationToken ct) =>
            http.Caller().IsAdmin
                ? Results.Ok(await decisions.RecentAsync(Math.Clamp(limit ?? 100, 1, decisions.Capacity), ct))
                : ApiResults.Forbidden("only an admin reads the placement controller's decisions"))
            .Produces<List<PlacementDecision>>().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("The placement controller's decisions, newest first: acted, suggested, held back and why (admin)");

        placement.MapPost("/evaluate", async (HttpContext http, PlacementControllerService controller, CancellationToken ct) =>
            http.Caller().IsAdmin
                ? Results.Ok(await controller.EvaluateAsync(ct))
                : ApiResults.Forbidden("only an admin runs the placement controller by hand"))
            .Produces<List<PlacementDecision>>().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Run one evaluation of the placement controller now, and act on it; its decisions (admin)");

        api.MapPost("/nodes/{node}/evacuate", async (string node, HttpContext http, EvacuationService evacuation, CancellationToken ct) =>
            !http.Caller().IsAdmin
                ? ApiResults.Forbidden("Only an admin can evacuate nodes.")
                : await evacuation.EvacuateAsync(http.Caller(), node, ct) is { } entries ? Results.Ok(entries) : ApiResults.NotFound($"Node '{node}'"))
            .WithTags("Nodes")
            .Produces<List<EvacuationEntry>>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Move every running machine off a node through the migration engine (drain it first): per machine its migration, or why it stays (admin)");

        api.MapPost("/recommendations/accept", async (AcceptRecommendationRequest request, HttpContext http, RecommendationAcceptance acceptance, CancellationToken ct) =>
        {
            var result = await acceptance.AcceptAsync(http.Caller(), request, ct);
            return result switch
            {
                { Started: { } started } => ApiResults.Accepted(MigrationViews.Info(started)),
                { Changed: { } changed } => ApiResults.Conflict(changed),
                _ => ApiResults.Invalid(result.Errors ?? [], "The acceptance is not valid."),
            };
        })
        .WithTags("Recommendations")
        .Produces<Core.Api.Migrations.MigrationInfo>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Accept a recommendation: the advisor and your policy are asked again, and the move starts only if it still holds (409 with the reason if not)");
        return api;
    }

    private static IResult Answer(PlacementPolicyAnswer answer) => answer switch
    {
        { Errors: { } errors } => ApiResults.Invalid(errors, InvalidPolicy),
        { Forbidden: { } forbidden } => ApiResults.Forbidden(forbidden),
        { NotFound: { } what } => ApiResults.NotFound(what),
        { Deleted: true } => Results.NoContent(),
        _ => Results.Ok(answer.Policy),
    };
}
