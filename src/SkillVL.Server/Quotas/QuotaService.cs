using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Identity;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Quotas;

/// <summary>
/// Enforces quotas when a room is created, updated or started. A user's own rooms count against the user's
/// limits (override, else the role's default); a course instance counts against its course's limits instead
/// (the teacher chose what it contains; the student cannot change its sizes, see CourseInstanceEdits), whose limits
/// fall back to the platform's course default. Callers hold the <see cref="CapacityGate"/> from the check to the save.
/// </summary>
public sealed class QuotaService(SkillVlDbContext db, IOptions<SkillVlServerOptions> options)
{
    public QuotaLimits LimitsOf(UserEntity user) => Merge(
        new QuotaLimits(user.QuotaCpus, user.QuotaMemoryBytes, user.QuotaDiskBytes, user.QuotaRunningVms),
        options.Value.Quotas.ForRole(user.Role));

    /// <summary>A course's limits: its own, else the platform's course default (SkillVL:Quotas:Course).</summary>
    public QuotaLimits LimitsOf(CourseEntity course) => Merge(OwnLimitsOf(course), options.Value.Quotas.Course.ToLimits());

    /// <summary>The platform's course default (SkillVL:Quotas:Course): a teacher may set a course lower, not higher.</summary>
    public QuotaLimits CourseDefault => options.Value.Quotas.Course.ToLimits();

    /// <summary>The limits set on the course itself (null where it falls back to the default).</summary>
    public static QuotaLimits OwnLimitsOf(CourseEntity course) =>
        new(course.QuotaCpus, course.QuotaMemoryBytes, course.QuotaDiskBytes, course.QuotaRunningVms);

    /// <summary>The user's use of their personal quota (rooms that are not course instances).</summary>
    public async Task<QuotaUsage> UsageAsync(UserEntity user, CancellationToken cancellationToken) =>
        QuotaCalculator.Usage(LimitsOf(user), await DemandsAsync(r => r.OwnerId == user.Id && r.CourseId == null, cancellationToken));

    /// <summary>
    /// Checks replacing the machines of room <paramref name="roomId"/> (null: a new room) of
    /// <paramref name="owner"/> (in <paramref name="course"/>, if an instance) by <paramref name="proposed"/>.
    /// </summary>
    public async Task<QuotaViolation?> CheckAsync(UserEntity owner, CourseEntity? course, string? roomId, IReadOnlyList<MachineDemand> proposed, CancellationToken cancellationToken)
    {
        var (scope, subject, limits) = course is null
            ? ("user", owner.Username, LimitsOf(owner))
            : ("course", course.Name, LimitsOf(course));
        if (limits is { Cpus: null, MemoryBytes: null, DiskBytes: null, RunningVms: null })
        {
            return null;
        }

        var courseId = course?.Id;
        var all = await DemandsAsync(
            course is null ? r => r.OwnerId == owner.Id && r.CourseId == null : r => r.CourseId == courseId,
            cancellationToken);
        var others = roomId is null
            ? all
            : await DemandsAsync(
                course is null ? r => r.OwnerId == owner.Id && r.CourseId == null && r.Id != roomId : r => r.CourseId == courseId && r.Id != roomId,
                cancellationToken);
        // The room's snapshots stay with its kept machines: they count after the change as before it.
        var kept = roomId is null ? [] : await SnapshotDemandsAsync(r => r.Id == roomId, cancellationToken);
        var before = QuotaCalculator.Usage(limits, all);
        var after = QuotaCalculator.Usage(limits, others.Concat(proposed).Concat(kept));
        return QuotaCalculator.Check(scope, subject, before, after);
    }

    /// <summary>
    /// Checks <paramref name="diskBytes"/> more disk in the quota room <paramref name="room"/> counts against (its owner's,
    /// or its course's): a snapshot taken (ADR 0051). Callers hold the <see cref="CapacityGate"/>.
    /// </summary>
    public async Task<QuotaViolation?> CheckDiskGrowthAsync(RoomEntity room, long diskBytes, CancellationToken cancellationToken)
    {
        var course = room.CourseId is null ? null : await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == room.CourseId, cancellationToken);
        var owner = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == room.OwnerId, cancellationToken);
        if (course is null && owner is null)
        {
            return null;
        }

        var (scope, subject, limits) = course is null
            ? ("user", owner!.Username, LimitsOf(owner))
            : ("course", course.Name, LimitsOf(course));
        if (limits.DiskBytes is null)
        {
            return null;
        }

        var courseId = course?.Id;
        var ownerId = room.OwnerId;
        var all = await DemandsAsync(course is null ? r => r.OwnerId == ownerId && r.CourseId == null : r => r.CourseId == courseId, cancellationToken);
        var before = QuotaCalculator.Usage(limits, all);
        var after = QuotaCalculator.Usage(limits, all.Append(new MachineDemand(0, 0, diskBytes, false)));
        return QuotaCalculator.Check(scope, subject, before, after);
    }

    /// <summary>Disk of a machine: its template's virtual disk size.</summary>
    public async Task<Dictionary<string, long>> DiskSizesAsync(CancellationToken cancellationToken) =>
        await db.Templates.AsNoTracking().ToDictionaryAsync(t => t.Name, t => t.SizeBytes, cancellationToken);

    private async Task<List<MachineDemand>> DemandsAsync(System.Linq.Expressions.Expression<Func<RoomEntity, bool>> rooms, CancellationToken cancellationToken)
    {
        var disks = await DiskSizesAsync(cancellationToken);
        var machines = await db.Rooms.AsNoTracking().Where(r => !r.DeletionRequested).Where(rooms)
            .SelectMany(r => r.Machines)
            .Select(m => new { m.Cpus, m.MemoryBytes, m.TemplateName, m.DesiredState })
            .ToListAsync(cancellationToken);
        return machines
            .Select(m => new MachineDemand(m.Cpus, m.MemoryBytes, disks.GetValueOrDefault(m.TemplateName), m.DesiredState == MachineStates.Running))
            .Concat(await SnapshotDemandsAsync(rooms, cancellationToken))
            .ToList();
    }

    /// <summary>The rooms' snapshots as disk (ADR 0051): one demand of their bytes, none when they have none.</summary>
    private async Task<List<MachineDemand>> SnapshotDemandsAsync(System.Linq.Expressions.Expression<Func<RoomEntity, bool>> rooms, CancellationToken cancellationToken)
    {
        var bytes = await db.Rooms.AsNoTracking().Where(r => !r.DeletionRequested).Where(rooms)
            .Join(db.Snapshots, r => r.Id, s => s.RoomId, (_, s) => s.SizeBytes)
            .SumAsync(cancellationToken);
        return bytes > 0 ? [new MachineDemand(0, 0, bytes, false)] : [];
    }

    private static QuotaLimits Merge(QuotaLimits own, QuotaLimits fallback) => new(
        own.Cpus ?? fallback.Cpus,
        own.MemoryBytes ?? fallback.MemoryBytes,
        own.DiskBytes ?? fallback.DiskBytes,
        own.RunningVms ?? fallback.RunningVms);
}
