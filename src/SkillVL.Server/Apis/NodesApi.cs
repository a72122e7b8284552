using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Apis;

public static class NodesApi
{
    public static RouteGroupBuilder MapNodesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/nodes", async (NodeRegistry nodes, SkillVlDbContext db, CancellationToken ct) =>
        {
            var machines = await db.Machines.AsNoTracking().ToListAsync(ct);
            return TypedResults.Ok(nodes.All.Select(n =>
            {
                var placed = machines.Where(m => m.NodeName == n.Facts.Name && m.DesiredState == MachineStates.Running).ToList();
                return new NodeInfo(
                    n.Facts.Name,
                    "server",
                    "ready",
                    n.Facts.Accelerator,
                    n.Facts.Cpus,
                    n.Facts.MemoryBytes,
                    placed.Count(m => m.ObservedState == MachineStates.Running),
                    placed.Sum(m => m.Cpus),
                    placed.Sum(m => m.MemoryBytes));
            }).ToList());
        }).WithTags("Nodes").WithSummary("List nodes with capacity and allocation");
        return api;
    }
}
