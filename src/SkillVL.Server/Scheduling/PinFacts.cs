using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Scheduling;

/// <summary>
/// What <see cref="NodePinning"/> checks a room against, read from the database and the node registry: used by the API's
/// pin answers and by migrations, so it sits with the check, below both (ADR 0048).
/// </summary>
public static class PinFacts
{
    /// <summary>Whose machines a room's are: its owner, and for a course instance the course and its client-node setting.</summary>
    public static async Task<PinTarget> TargetAsync(SkillVlDbContext db, string ownerId, string? courseId, CancellationToken cancellationToken)
    {
        if (courseId is null)
        {
            return new(ownerId);
        }

        var course = await db.Courses.AsNoTracking().Where(c => c.Id == courseId)
            .Select(c => new { c.Name, c.AllowClientNodes }).FirstOrDefaultAsync(cancellationToken);
        // A course deleted under its instance allows nothing: the instance is being deleted with it.
        return new(ownerId, course?.Name ?? courseId, course?.AllowClientNodes ?? false);
    }

    /// <summary>What the pin check needs of a node (its kind, owner, state, drain), or null when no node has that name.</summary>
    public static NodeCapacity? Capacity(NodeRegistry registry, string name) =>
        registry.Find(name) is { } node
            ? new NodeCapacity(name, node.Facts.Cpus, node.Facts.MemoryBytes, 0, 0, registry.IsReachable(node), registry.IsDrained(name), node.Facts.Labels,
                node.Facts.Kind, registry.OwnerOf(name))
            : null;
}
