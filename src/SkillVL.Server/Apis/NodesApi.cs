using SkillVL.Core.Api;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Apis;

public static class NodesApi
{
    public static RouteGroupBuilder MapNodesApi(this RouteGroupBuilder api)
    {
        var nodes = api.MapGroup("/nodes").WithTags("Nodes");
        nodes.MapGet("/", async (HttpContext http, NodeRegistry registry, SkillVlDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await NodeViews.ListAsync(http.Caller(), registry, db, ct)))
            .WithSummary("List nodes with their state and capacity; allocation: everyone's for an admin, your own for others");

        nodes.MapGet("/{node}", async (string node, HttpContext http, NodeRegistry registry, SkillVlDbContext db, CancellationToken ct) =>
            (await NodeViews.ListAsync(http.Caller(), registry, db, ct)).FirstOrDefault(n => n.Name == node) is { } found
                ? Results.Ok(found)
                : ApiResults.NotFound($"Node '{node}'"))
            .Produces<NodeInfo>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get a node: state and capacity; allocation: everyone's for an admin, your own for others");

        nodes.MapPost("/join-tokens", async (CreateJoinTokenRequest? request, HttpContext http, NodeService service, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.IsAdmin)
            {
                return ApiResults.Forbidden("Only an admin can let nodes join.");
            }

            var minutes = request?.ExpiresInMinutes ?? 60;
            if (minutes is < 1 or > 7 * 24 * 60)
            {
                return ApiResults.Invalid("expiresInMinutes", "must be between 1 and 10080 (a week).", "The join token request is not valid.");
            }

            return Results.Ok(await service.CreateJoinTokenAsync(caller.Username, TimeSpan.FromMinutes(minutes), ct));
        })
        .Produces<JoinTokenInfo>().ProducesProblem(StatusCodes.Status403Forbidden)
        .WithSummary("Make a one-time join token for a new node's agent (admin)");

        foreach (var (verb, drained) in new[] { ("drain", true), ("undrain", false) })
        {
            nodes.MapPost($"/{{node}}/{verb}", async (string node, HttpContext http, NodeService service, CancellationToken ct) =>
                !http.Caller().IsAdmin
                    ? ApiResults.Forbidden("Only an admin can drain nodes.")
                    : await service.SetDrainedAsync(node, drained, ct) ? Results.NoContent() : ApiResults.NotFound($"Node '{node}'"))
                .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
                .WithSummary(drained ? "Stop placing new machines on a node (admin)" : "Let a drained node take new machines again (admin)");
        }

        nodes.MapDelete("/{node}", async (string node, HttpContext http, NodeService service, CancellationToken ct) =>
        {
            if (!http.Caller().IsAdmin)
            {
                return ApiResults.Forbidden("Only an admin can remove nodes.");
            }

            return await service.RemoveAsync(node, ct) switch
            {
                null => ApiResults.NotFound($"Node '{node}'"),
                "" => Results.NoContent(),
                var problem => ApiResults.Conflict(problem),
            };
        })
        .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Remove a node: revoke its credential and disconnect its agent (admin)");
        return api;
    }
}
