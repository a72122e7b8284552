using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Server.Data;

namespace SkillVL.Server.Courses;

/// <summary>
/// When each course instance was last changed or used, derived from what is stored already (ADR 0045; no column of its
/// own): the room's last change (<see cref="RoomEntity.UpdatedAt"/>: created, applied, reset, upgraded), its latest task
/// (start, stop, a machine's action — by anyone), its latest check run, and its student's own latest use in the audit
/// log (a console opened, a request on the room that succeeded: exec, start, checks). The newest wins.
/// </summary>
public static class InstanceActivity
{
    /// <summary>
    /// How far back tasks and audit entries are read. Both tables are indexed by time, not by room or user, so a window
    /// bounds the scan; older activity is still seen through the room's own last change.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <summary>Audit rows read at most (newest first): a very busy month of 30 students stays far below.</summary>
    private const int MaxAuditRows = 5000;

    /// <summary>The statuses the room routes answer when they did what was asked.</summary>
    private static readonly string[] Succeeded = ["200", "201", "202", "204"];

    private const string RoomRoutes = ApiPaths.Prefix + "/rooms/{room}";

    /// <summary>By room id: when and what.</summary>
    public static async Task<Dictionary<string, (DateTimeOffset At, string What)>> OfAsync(
        SkillVlDbContext db, IReadOnlyList<RoomEntity> rooms, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - Window;
        var ids = rooms.Select(r => r.Id).ToList();
        var owners = rooms.Select(r => r.OwnerId).Distinct().ToList();
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.RoomId != null && ids.Contains(t.RoomId) && t.CreatedAt >= since)
            .Select(t => new { t.RoomId, t.Kind, t.CreatedAt }).ToListAsync(ct);
        var checks = await db.CheckResults.AsNoTracking().Where(c => ids.Contains(c.RoomId))
            .Select(c => new { c.RoomId, c.RanAt, c.RanBy }).ToListAsync(ct);
        var audit = await db.Audit.AsNoTracking()
            .Where(a => a.UserId != null && owners.Contains(a.UserId) && a.At >= since
                && ((a.Action == "console" && a.Outcome == "opened")
                    || ((a.Action.StartsWith("POST " + RoomRoutes) || a.Action.StartsWith("PUT " + RoomRoutes)) && Succeeded.Contains(a.Outcome))))
            .OrderByDescending(a => a.Id).Take(MaxAuditRows)
            .Select(a => new { a.UserId, a.Action, a.Target, a.Detail, a.At }).ToListAsync(ct);

        var activity = new Dictionary<string, (DateTimeOffset At, string What)>(StringComparer.Ordinal);
        foreach (var room in rooms)
        {
            var candidates = new List<(DateTimeOffset At, string What)> { (room.UpdatedAt, "room changed") };
            candidates.AddRange(tasks.Where(t => t.RoomId == room.Id).Select(t => (t.CreatedAt, t.Kind)));
            candidates.AddRange(checks.Where(c => c.RoomId == room.Id).Select(c => (c.RanAt, $"checks run by {c.RanBy}")));
            candidates.AddRange(audit.Where(a => a.UserId == room.OwnerId && NamesRoom(a.Target, room))
                .Select(a => (a.At, a.Action == "console" ? $"console {FirstWord(a.Detail)} on {Value(a.Target, "machine")}" : Describe(a.Action, a.Target))));
            activity[room.Id] = candidates.MaxBy(c => c.At);
        }

        return activity;
    }

    /// <summary>
    /// Whether an audit target (<c>room=X machine=Y</c>: the console's room name, or a route's room as the student sent
    /// it, by id or by name) names this room. The student's own rooms have distinct names, so the name is enough.
    /// </summary>
    private static bool NamesRoom(string? target, RoomEntity room) =>
        Value(target, "room") is { } named && (named == room.Id || named == room.Name);

    private static string? Value(string? target, string key) =>
        (target ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Where(kv => kv.Length == 2 && kv[0] == key)
            .Select(kv => kv[1])
            .FirstOrDefault();

    private static string FirstWord(string? detail) => (detail ?? "").Split(' ', 2)[0];

    /// <summary>"exec on a", "start", "checks": the route's last word, and the machine when it names one.</summary>
    private static string Describe(string action, string? target)
    {
        var pattern = action[(action.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        var last = pattern == RoomRoutes ? "apply" : pattern[(pattern.LastIndexOf('/') + 1)..];
        return Value(target, "machine") is { } machine ? $"{last} on {machine}" : last;
    }
}
