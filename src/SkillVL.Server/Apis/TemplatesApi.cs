using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Server.Data;

namespace SkillVL.Server.Apis;

public static class TemplatesApi
{
    public static RouteGroupBuilder MapTemplatesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/templates", async (SkillVlDbContext db, CancellationToken ct) =>
        {
            var rows = await db.Templates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
            return TypedResults.Ok(rows.Select(t => new TemplateInfo(t.Name, t.Sha256, t.Boot, t.DefaultCpus, t.DefaultMemoryBytes, t.SizeBytes)).ToList());
        }).WithTags("Templates").WithSummary("List VM templates");
        return api;
    }
}
