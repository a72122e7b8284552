using SkillVL.Core.Api.Placements;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;
using SkillVL.Server.PlacementControl;

namespace SkillVL.Server.Apis;

/// <summary>
/// A client node's announced departure (issue 14; ADR 0063): its owner (or an admin) says the computer leaves in so many
/// seconds; the advisor then recommends moving its machines back to a server, and the controller does it without waiting
/// for a person or the hysteresis. In memory, like the load it sits beside.
/// </summary>
public static class NodeDepartureApi
{
    public static RouteGroupBuilder MapNodeDepartureApi(this RouteGroupBuilder api)
    {
        var nodes = api.MapGroup("/nodes").WithTags("Nodes");
        nodes.MapPost("/{node}/departure", (string node, NodeDepartureRequest? request, HttpContext http, NodeRegistry registry,
            PlacementControllerService controller, TimeProvider time, ILoggerFactory loggers) =>
        {
            if (Refused(http.Caller(), registry, node) is { } refused)
            {
                return refused;
            }

            if (request?.InSeconds is not (>= 1 and <= NodeDepartureRequest.MaxSeconds) || request.InSeconds is not { } seconds)
            {
                return ApiResults.Invalid("inSeconds", $"say in how many seconds the node leaves: 1 to {NodeDepartureRequest.MaxSeconds} (a day).",
                    "The departure is not valid.");
            }

            var at = time.GetUtcNow().AddSeconds(seconds);
            registry.SetDeparture(node, at);
            PlacementLog.DepartureAnnounced(loggers.CreateLogger(typeof(NodeDepartureApi).FullName!), node, at, http.Caller().Username);
            // At once rather than at the controller's next round (30 s by default): the notice may be short.
            controller.EvaluateSoon();
            return Results.Ok(new NodeDepartureInfo(node, at));
        })
        .Produces<NodeDepartureInfo>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("Announce that a client node leaves soon: its machines go back to a server before it goes (its owner; admin)");

        nodes.MapDelete("/{node}/departure", (string node, HttpContext http, NodeRegistry registry) =>
        {
            if (Refused(http.Caller(), registry, node) is { } refused)
            {
                return refused;
            }

            registry.SetDeparture(node, null);
            return Results.NoContent();
        })
        .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary("Withdraw a client node's announced departure (its owner; admin)");
        return api;
    }

    /// <summary>
    /// Who may: an admin, or the client node's owner. Another user's client node does not exist for the caller (404, as on
    /// delete); a node the caller sees but does not own, 403; a server or edge node does not depart (400: drain it).
    /// </summary>
    private static IResult? Refused(CurrentUser caller, NodeRegistry registry, string node)
    {
        var found = registry.Find(node);
        var owner = registry.OwnerOf(node);
        if (found is null || !NodeViews.Visible(caller, found.Facts, owner))
        {
            return ApiResults.NotFound($"Node '{node}'");
        }

        if (!caller.IsAdmin && owner?.Id != caller.Id)
        {
            return ApiResults.Forbidden("Only an admin, or the owner of a client node, can announce its departure.");
        }

        return found.Facts.Kind != "client"
            ? ApiResults.Invalid("node", $"{node} is a {found.Facts.Kind} node: only a client node departs (drain a server with --evacuate instead).",
                "The departure is not valid.")
            : null;
    }
}
