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
        nodes.MapGet("/", async (HttpContext http, NodeRegistry registry, NodeLoadHistory loads, SkillVlDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await NodeViews.ListAsync(http.Caller(), registry, loads, db, ct)))
            .WithSummary("List nodes with their state and capacity; allocation: everyone's for an admin, your own for others");

        nodes.MapGet("/{node}", async (string node, HttpContext http, NodeRegistry registry, NodeLoadHistory loads, SkillVlDbContext db, CancellationToken ct) =>
            (await NodeViews.ListAsync(http.Caller(), registry, loads, db, ct)).FirstOrDefault(n => n.Name == node) is { } found
                ? Results.Ok(found)
                : ApiResults.NotFound($"Node '{node}'"))
            .Produces<NodeInfo>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get a node: state and capacity; allocation: everyone's for an admin, your own for others");

        nodes.MapGet("/{node}/load", (string node, HttpContext http, NodeRegistry registry, NodeLoadHistory loads) =>
            !http.Caller().IsAdmin
                ? ApiResults.Forbidden("Only an admin can see a node's load: it tells about other users' work on the node.")
                : registry.Find(node) is null
                    ? ApiResults.NotFound($"Node '{node}'")
                    : Results.Ok(new NodeLoadSeries(node, NodeLoadHistory.Window.TotalSeconds, loads.Series(node), loads.RoundTrip(node)?.TotalMilliseconds)))
            .Produces<NodeLoadSeries>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A node's load over the last 30 minutes, from its heartbeats (admin)");

        nodes.MapPost("/join-tokens", async (CreateJoinTokenRequest? request, HttpContext http, NodeService service, CancellationToken ct) =>
            await service.CreateJoinTokenAsync(http.Caller(), request ?? new CreateJoinTokenRequest(), ct) switch
            {
                { Token: { } token } => Results.Ok(token),
                { Status: 403 } refused => Forbidden(refused.Field!, refused.Problem!),
                { Status: 409 } refused => ApiResults.Conflict(refused.Problem!),
                var refused => ApiResults.Invalid(refused.Field!, refused.Problem!, "The join token request is not valid."),
            })
        .Produces<JoinTokenInfo>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Make a one-time join token for a new node's agent: a client token for your own computer (anyone), any other (admin)");

        foreach (var (verb, drained) in new[] { ("drain", true), ("undrain", false) })
        {
            nodes.MapPost($"/{{node}}/{verb}", async (string node, HttpContext http, NodeService service, CancellationToken ct) =>
                !http.Caller().IsAdmin
                    ? ApiResults.Forbidden("Only an admin can drain nodes.")
                    : await service.SetDrainedAsync(node, drained, ct) ? Results.NoContent() : ApiResults.NotFound($"Node '{node}'"))
                .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
                .WithSummary(drained ? "Stop placing new machines on a node (admin)" : "Let a drained node take new machines again (admin)");
        }

        nodes.MapDelete("/{node}", async (string node, HttpContext http, NodeService service, NodeRegistry registry, NodeLoadHistory loads, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.IsAdmin && registry.OwnerOf(node)?.Id != caller.Id)
            {
                // Another user's client node does not exist for the caller (as another user's room): 404, not 403.
                return registry.Find(node) is { } found && NodeViews.Visible(caller, found.Facts, registry.OwnerOf(node))
                    ? ApiResults.Forbidden("Only an admin, or the owner of a client node, can remove nodes.")
                    : ApiResults.NotFound($"Node '{node}'");
            }

            return await service.RemoveAsync(node, ct) switch
            {
                null => ApiResults.NotFound($"Node '{node}'"),
                "" => Forgotten(loads, node),
                var problem => ApiResults.Conflict(problem),
            };
        })
        .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Remove a node: revoke its credential and disconnect its agent (admin; the owner of a client node)");
        return api;
    }

    /// <summary>A removed node's load series goes with it: a node enrolled later under the name starts afresh.</summary>
    private static IResult Forgotten(NodeLoadHistory loads, string node)
    {
        loads.Forget(node);
        return Results.NoContent();
    }

    /// <summary>A 403 naming the request field it is about, as the pin checks answer.</summary>
    private static IResult Forbidden(string field, string problem) =>
        Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: $"{field}: {problem}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [problem] } });
}
