using SkillVL.Core.Placement.Control;
using SkillVL.Server.Identity;
using SkillVL.Server.PlacementControl;
using SkillVL.Server.Recommendations;

namespace SkillVL.Server.Apis;

/// <summary>Placement recommendations (issue 14, suggest mode; ADR 0027). Read-only: accepting one is the request it names.</summary>
public static class RecommendationsApi
{
    public static RouteGroupBuilder MapRecommendationsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/recommendations", async (HttpContext http, RecommendationService service, PlacementPolicyService policies, CancellationToken ct) =>
        {
            // A machine whose placement policy is off gets no suggestion (ADR 0030).
            var resolve = await policies.ResolverAsync(ct);
            return TypedResults.Ok(await service.ListAsync(http.Caller(), ct, room => resolve(room).Mode != PlacementModes.Off));
        })
            .WithTags("Recommendations")
            .WithSummary("Where your machines would run better, from the nodes' load and the migration model: recommended moves first, " +
                "then those that do not pay and why (a student: own machines; a teacher: also their courses'; an admin: all)");
        return api;
    }
}
