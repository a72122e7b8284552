using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Data;

namespace SkillVL.Server.Identity;

/// <summary>
/// Who sees what, in one place, as query filters: a student sees own rooms; a teacher also the rooms of the
/// courses they run; an admin everything. Whatever a caller cannot see does not exist for them (404, never 403),
/// so ids cannot be probed.
/// </summary>
public sealed class AccessService(SkillVlDbContext db)
{
    public IQueryable<RoomEntity> VisibleRooms(CurrentUser user, IQueryable<RoomEntity> rooms)
    {
        if (user.IsAdmin)
        {
            return rooms;
        }

        var taught = db.Courses.Where(c => c.OwnerId == user.Id).Select(c => c.Id);
        return rooms.Where(r => r.OwnerId == user.Id || (r.CourseId != null && taught.Contains(r.CourseId)));
    }

    /// <summary>
    /// A room by id (if visible), by name among the caller's own rooms, or as <c>OWNER/ROOM</c> among the rooms the caller
    /// may see (<see cref="RoomReference"/>, ADR 0038). A room the caller may not see is not found, whichever form names it.
    /// </summary>
    public Task<RoomEntity?> FindRoomAsync(CurrentUser user, IQueryable<RoomEntity> rooms, string reference, CancellationToken cancellationToken)
    {
        var parsed = RoomReference.Parse(reference);
        if (parsed.Owner is { } owner)
        {
            var name = parsed.Name;
            var owners = db.Users.Where(u => u.Username == owner || u.Id == owner).Select(u => u.Id);
            return VisibleRooms(user, rooms)
                .Where(r => r.Name == name && owners.Contains(r.OwnerId))
                .FirstOrDefaultAsync(cancellationToken);
        }

        var idOrName = parsed.Name;
        return VisibleRooms(user, rooms)
            .Where(r => r.Id == idOrName || (r.OwnerId == user.Id && r.Name == idOrName))
            .OrderBy(r => r.Id == idOrName ? 0 : 1)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>A filter for tasks the caller may see (self-contained: TaskService queries another context).</summary>
    public async Task<Expression<Func<TaskEntity, bool>>> VisibleTaskAsync(CurrentUser user, CancellationToken cancellationToken)
    {
        if (user.IsAdmin)
        {
            return _ => true;
        }

        var id = user.Id;
        var taught = await db.Courses.Where(c => c.OwnerId == id).Select(c => c.Id).ToListAsync(cancellationToken);
        return t => t.OwnerId == id || (t.CourseId != null && taught.Contains(t.CourseId));
    }

    /// <summary>Migrations the caller may see: those of rooms they may see (kept after the room is gone); without their log.</summary>
    public async Task<IQueryable<MigrationEntity>> VisibleMigrationsAsync(CurrentUser user, CancellationToken cancellationToken)
    {
        IQueryable<MigrationEntity> all = db.Migrations.AsNoTracking();
        if (user.IsAdmin)
        {
            return all;
        }

        var id = user.Id;
        var taught = await db.Courses.Where(c => c.OwnerId == id).Select(c => c.Id).ToListAsync(cancellationToken);
        return all.Where(m => m.OwnerId == id || (m.CourseId != null && taught.Contains(m.CourseId)));
    }

    /// <summary>Courses the caller may look at: run (teacher), enrolled in (student), all (admin).</summary>
    public IQueryable<CourseEntity> VisibleCourses(CurrentUser user)
    {
        if (user.IsAdmin)
        {
            return db.Courses;
        }

        var enrolled = db.Enrolments.Where(e => e.UserId == user.Id).Select(e => e.CourseId);
        return db.Courses.Where(c => c.OwnerId == user.Id || enrolled.Contains(c.Id));
    }

    public Task<CourseEntity?> FindCourseAsync(CurrentUser user, string idOrName, CancellationToken cancellationToken) =>
        VisibleCourses(user).FirstOrDefaultAsync(c => c.Id == idOrName || c.Name == idOrName, cancellationToken);

    /// <summary>Whether the caller may change the course (its teacher, or an admin).</summary>
    public static bool CanManage(CurrentUser user, CourseEntity course) => user.IsAdmin || course.OwnerId == user.Id;
}
