using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Courses;
using SkillVL.Server.Audit;
using SkillVL.Server.Checks;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Rooms;

namespace SkillVL.Server.Courses;

/// <summary>
/// A teacher's action on a selection of a course's instances (the class view, issue 17, ADR 0045): start, stop, reset
/// or check, each through the same path as the per-room route (<see cref="RoomService"/>, <see cref="GatedCheckRun"/>),
/// so no rule exists twice. One student's refusal does not stop the others; each student's outcome is answered and
/// audited on its own.
/// </summary>
public sealed class CourseInstanceActions(SkillVlDbContext db, RoomService rooms, IServiceScopeFactory scopes, AuditService audit)
{
    public static readonly IReadOnlyList<string> Actions = ["start", "stop", "reset", "check"];

    /// <summary>
    /// Rooms checked at the same time: a run executes a command per check in the guests and may take up to the run
    /// timeout (60 s); four at once keep a class of 30 within a few minutes at worst without flooding the nodes' agents.
    /// </summary>
    private const int ParallelCheckRuns = 4;

    public async Task<CourseResult<IReadOnlyList<InstanceActionOutcome>>> RunAsync(
        HttpContext http, CurrentUser caller, CourseEntity course, InstanceActionRequest request, CancellationToken ct)
    {
        var action = request.Action?.Trim().ToLowerInvariant();
        if (action is null || !Actions.Contains(action))
        {
            return CourseResults.Invalid<IReadOnlyList<InstanceActionOutcome>>("action", $"must be one of {string.Join(", ", Actions)}.");
        }

        var enrolled = await db.Enrolments.AsNoTracking().Where(e => e.CourseId == course.Id)
            .Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { u.Id, u.Username })
            .OrderBy(u => u.Username).ToListAsync(ct);
        var wanted = request.Students ?? [];
        // Bounded by the course's size: a selection can name each student once at most.
        if (wanted.Count > enrolled.Count)
        {
            return CourseResults.Invalid<IReadOnlyList<InstanceActionOutcome>>(
                "students", $"names {wanted.Count} students; course '{course.Name}' has {enrolled.Count}.");
        }

        var unknown = wanted.Where(w => enrolled.All(e => e.Username != w)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            return CourseResults.Invalid<IReadOnlyList<InstanceActionOutcome>>(
                "students", $"not enrolled in course '{course.Name}': {string.Join(", ", unknown)}.");
        }

        var targets = wanted.Count == 0 ? enrolled : enrolled.Where(e => wanted.Contains(e.Username)).ToList();
        var ownerIds = targets.Select(t => t.Id).ToList();
        var instances = await rooms.TrackedRooms.Where(r => r.CourseId == course.Id && !r.DeletionRequested && ownerIds.Contains(r.OwnerId))
            .ToListAsync(ct);
        var outcomes = new InstanceActionOutcome[targets.Count];
        var checks = new List<(int Index, string Student, RoomEntity Room)>();
        for (var i = 0; i < targets.Count; i++)
        {
            var room = instances.FirstOrDefault(r => r.OwnerId == targets[i].Id);
            if (room is null)
            {
                outcomes[i] = new InstanceActionOutcome(targets[i].Username, null, InstanceActionOutcome.NoInstance, StatusCodes.Status404NotFound,
                    $"{targets[i].Username} has no instance of course '{course.Name}'.");
            }
            else if (action == "check")
            {
                checks.Add((i, targets[i].Username, room));
                continue;
            }
            else
            {
                var result = action == "reset" ? await rooms.ResetAsync(room, ct) : await rooms.SetPowerAsync(room, action == "start", ct);
                outcomes[i] = Outcome(targets[i].Username, room, action, result);
            }

            await AuditAsync(http, course, action, outcomes[i], room);
        }

        using var slots = new SemaphoreSlim(ParallelCheckRuns);
        await Task.WhenAll(checks.Select(async c =>
        {
            await slots.WaitAsync(ct);
            try
            {
                outcomes[c.Index] = await CheckAsync(c.Student, c.Room.Id, caller.Username, ct);
            }
            finally
            {
                slots.Release();
            }

            await AuditAsync(http, course, action, outcomes[c.Index], c.Room);
        }));
        return CourseResults.Ok<IReadOnlyList<InstanceActionOutcome>>(outcomes);
    }

    /// <summary>One room's checks in a scope of its own: runs go in parallel, and a DbContext serves one at a time.</summary>
    private async Task<InstanceActionOutcome> CheckAsync(string student, string roomId, string username, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var scoped = scope.ServiceProvider.GetRequiredService<SkillVlDbContext>();
        var room = await scoped.ReadRooms().FirstOrDefaultAsync(r => r.Id == roomId && !r.DeletionRequested, ct);
        if (room is null)
        {
            return new InstanceActionOutcome(student, roomId, InstanceActionOutcome.NoInstance, StatusCodes.Status404NotFound, $"{student}'s instance is being deleted.");
        }

        var answer = await scope.ServiceProvider.GetRequiredService<GatedCheckRun>().RunAsync(room, username, ct);
        if (answer.Results is not { } results)
        {
            var status = answer.Wait == TimeSpan.Zero ? StatusCodes.Status409Conflict : StatusCodes.Status429TooManyRequests;
            return new InstanceActionOutcome(student, room.Id, InstanceActionOutcome.Refused, status, answer.Refusal(room.Name)!);
        }

        var passed = results.Count(r => r.Passed);
        return new InstanceActionOutcome(student, room.Id, InstanceActionOutcome.Checked, StatusCodes.Status200OK,
            string.Create(CultureInfo.InvariantCulture, $"{passed} of {results.Count} passed"), Checks: results);
    }

    private static InstanceActionOutcome Outcome(string student, RoomEntity room, string action, ApplyResult result) => result switch
    {
        { Task: { } task } => new InstanceActionOutcome(student, room.Id, InstanceActionOutcome.Accepted, StatusCodes.Status202Accepted,
            $"{action} of {student}'s instance started (task {task.Id}).", task),
        { Quota: { } quota } => new InstanceActionOutcome(student, room.Id, InstanceActionOutcome.Refused, StatusCodes.Status422UnprocessableEntity, quota.Message),
        { Conflict: { } conflict } => new InstanceActionOutcome(student, room.Id, InstanceActionOutcome.Refused, StatusCodes.Status409Conflict, conflict),
        _ => new InstanceActionOutcome(student, room.Id, InstanceActionOutcome.Refused, StatusCodes.Status400BadRequest,
            string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}"))),
    };

    /// <summary>One audit entry per student (the request's own entry, the middleware's, says who asked for what).</summary>
    private Task AuditAsync(HttpContext http, CourseEntity course, string action, InstanceActionOutcome outcome, RoomEntity? room) =>
        audit.RecordAsync(
            http,
            null,
            $"course.instances.{action}",
            room is null ? $"course={course.Name} student={outcome.Student}" : $"course={course.Name} student={outcome.Student} room={room.Id}",
            outcome.Status.ToString(CultureInfo.InvariantCulture),
            outcome.Message);
}
