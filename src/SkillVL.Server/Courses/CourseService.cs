using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Checks;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Quotas;
using SkillVL.Server.Rooms;

namespace SkillVL.Server.Courses;

/// <summary>
/// Courses: a teacher enrols students (by username or invite code) and publishes room versions; every student
/// gets an own instance of the room (same addresses, own networks). Publishing does not touch existing instances:
/// they move to a new version only when someone upgrades them.
/// </summary>
public sealed partial class CourseService(SkillVlDbContext db, RoomService rooms, QuotaService quotas, TimeProvider time)
{
    private const string InviteAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<CourseInfo> InfoAsync(CourseEntity course, CancellationToken ct)
    {
        var teacher = await db.Users.AsNoTracking().Where(u => u.Id == course.OwnerId).Select(u => u.Username).FirstOrDefaultAsync(ct);
        var students = await db.Enrolments.CountAsync(e => e.CourseId == course.Id, ct);
        var latest = await db.CourseVersions.Where(v => v.CourseId == course.Id).MaxAsync(v => (int?)v.Version, ct) ?? 0;
        var quota = QuotaService.OwnLimitsOf(course);
        return new CourseInfo(course.Id, course.Name, course.Title, teacher ?? course.OwnerId, students, latest,
            quota is { Cpus: null, MemoryBytes: null, DiskBytes: null, RunningVms: null } ? null : quota, course.CreatedAt, course.AllowClientNodes,
            course.CheckoutLeaseSeconds is { } lease ? Core.Checkout.LeaseTerms.Format(TimeSpan.FromSeconds(lease)) : null);
    }

    public async Task<CourseResult<CourseEntity>> CreateAsync(CurrentUser caller, CreateCourseRequest request, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        if (request.Name is null || !NamePattern().IsMatch(request.Name))
        {
            errors.Add(new("name", "must be a DNS label: 1-32 lowercase letters, digits and hyphens, starting and ending with a letter or digit."));
        }

        errors.AddRange(TitleAndQuotaErrors(caller, request.Title, request.Quota));
        if (errors.Count > 0)
        {
            return CourseResults.Invalid<CourseEntity>(errors);
        }

        if (await db.Courses.AnyAsync(c => c.Name == request.Name, ct))
        {
            return CourseResults.InConflict<CourseEntity>($"A course named '{request.Name}' already exists.");
        }

        var course = new CourseEntity
        {
            Id = ShortId.New(),
            Name = request.Name!,
            Title = request.Title,
            OwnerId = caller.Id,
            CreatedAt = time.GetUtcNow(),
            QuotaCpus = request.Quota?.Cpus,
            QuotaMemoryBytes = request.Quota?.MemoryBytes,
            QuotaDiskBytes = request.Quota?.DiskBytes,
            QuotaRunningVms = request.Quota?.RunningVms,
            AllowClientNodes = request.AllowClientNodes ?? false,
        };
        db.Courses.Add(course);
        await db.SaveChangesAsync(ct);
        return CourseResults.Ok<CourseEntity>(course);
    }

    /// <summary>Deletes the course; its instances are deleted like any room (a task each).</summary>
    public async Task DeleteAsync(CourseEntity course, CancellationToken ct)
    {
        foreach (var room in await rooms.TrackedRooms.Where(r => r.CourseId == course.Id && !r.DeletionRequested).ToListAsync(ct))
        {
            await rooms.DeleteAsync(room, ct);
        }

        await db.Enrolments.Where(e => e.CourseId == course.Id).ExecuteDeleteAsync(ct);
        await db.Invites.Where(i => i.CourseId == course.Id).ExecuteDeleteAsync(ct);
        await db.CourseVersions.Where(v => v.CourseId == course.Id).ExecuteDeleteAsync(ct);
        db.Courses.Remove(course);
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<StudentInfo>> StudentsAsync(CourseEntity course, CancellationToken ct)
    {
        var enrolled = await db.Enrolments.AsNoTracking().Where(e => e.CourseId == course.Id)
            .Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { e.EnrolledAt, User = u })
            .OrderBy(x => x.User.Username).ToListAsync(ct);
        var instances = (await InstancesAsync(course, ct)).Where(i => i.Phase != "Deleting")
            .GroupBy(i => i.Student, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return enrolled.Select(x => new StudentInfo(x.User.Id, x.User.Username, x.EnrolledAt, instances.GetValueOrDefault(x.User.Username))).ToList();
    }

    /// <summary>Enrols existing users; each gets an instance of the latest version, if one is published.</summary>
    public async Task<CourseResult<IReadOnlyList<StudentInfo>>> EnrolAsync(CourseEntity course, IReadOnlyList<string>? usernames, CancellationToken ct)
    {
        if (usernames is not { Count: > 0 })
        {
            return CourseResults.Invalid<IReadOnlyList<StudentInfo>>("usernames", "must name at least one user.");
        }

        var users = await db.Users.Where(u => usernames.Contains(u.Username)).ToListAsync(ct);
        var unknown = usernames.Except(users.Select(u => u.Username), StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            return CourseResults.Invalid<IReadOnlyList<StudentInfo>>("usernames", $"unknown user(s): {string.Join(", ", unknown)}.");
        }

        var fresh = new List<UserEntity>();
        foreach (var user in users)
        {
            if (!await db.Enrolments.AnyAsync(e => e.CourseId == course.Id && e.UserId == user.Id, ct))
            {
                fresh.Add(user);
            }
        }

        var created = await InstantiateAsync(course, fresh, enrol: true, ct);
        return created.Quota is not null || created.Conflict is not null || created.Errors.Count > 0
            ? new CourseResult<IReadOnlyList<StudentInfo>>(null, created.Errors, created.Conflict, created.Quota)
            : CourseResults.Ok<IReadOnlyList<StudentInfo>>(await StudentsAsync(course, ct));
    }

    public async Task<bool> UnenrolAsync(CourseEntity course, string idOrName, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == idOrName || u.Username == idOrName, ct);
        var enrolment = user is null ? null : await db.Enrolments.FirstOrDefaultAsync(e => e.CourseId == course.Id && e.UserId == user.Id, ct);
        if (enrolment is null)
        {
            return false;
        }

        foreach (var room in await rooms.TrackedRooms.Where(r => r.CourseId == course.Id && r.OwnerId == user!.Id && !r.DeletionRequested).ToListAsync(ct))
        {
            await rooms.DeleteAsync(room, ct);
        }

        db.Enrolments.Remove(enrolment);
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<CourseResult<InviteInfo>> CreateInviteAsync(CourseEntity course, CreateInviteRequest request, CancellationToken ct)
    {
        var hours = request.ExpiresInHours ?? 168;
        var uses = request.MaxUses ?? 100;
        if (hours is < 1 or > 24 * 365)
        {
            return CourseResults.Invalid<InviteInfo>("expiresInHours", "must be between 1 and 8760.");
        }

        if (uses is < 1 or > 10000)
        {
            return CourseResults.Invalid<InviteInfo>("maxUses", "must be between 1 and 10000.");
        }

        var code = string.Concat(RandomNumberGenerator.GetItems(InviteAlphabet.AsSpan(), 10));
        code = $"{code[..5]}-{code[5..]}";
        var invite = new InviteEntity { CodeHash = ApiTokenService.Hash(code), CourseId = course.Id, ExpiresAt = time.GetUtcNow().AddHours(hours), UsesLeft = uses };
        db.Invites.Add(invite);
        await db.SaveChangesAsync(ct);
        return CourseResults.Ok<InviteInfo>(new InviteInfo(code, course.Name, invite.ExpiresAt, invite.UsesLeft));
    }

    /// <summary>A student enrols with an invite code (redeeming twice is harmless and uses nothing).</summary>
    public async Task<CourseResult<CourseEntity>> RedeemAsync(CurrentUser caller, string? code, CancellationToken ct)
    {
        var normalized = (code ?? "").Trim().ToUpperInvariant();
        var invite = normalized.Length == 0 ? null : await db.Invites.FirstOrDefaultAsync(i => i.CodeHash == ApiTokenService.Hash(normalized), ct);
        if (invite is null)
        {
            return CourseResults.Invalid<CourseEntity>("code", "is not a known invite code.");
        }

        if (invite.ExpiresAt <= time.GetUtcNow())
        {
            return CourseResults.Invalid<CourseEntity>("code", $"expired at {invite.ExpiresAt:u}; ask your teacher for a new one.");
        }

        var course = await db.Courses.FirstAsync(c => c.Id == invite.CourseId, ct);
        if (await db.Enrolments.AnyAsync(e => e.CourseId == course.Id && e.UserId == caller.Id, ct))
        {
            return CourseResults.Ok<CourseEntity>(course);
        }

        if (invite.UsesLeft <= 0)
        {
            return CourseResults.Invalid<CourseEntity>("code", "has been used up; ask your teacher for a new one.");
        }

        var user = await db.Users.FirstAsync(u => u.Id == caller.Id, ct);
        var result = await InstantiateAsync(course, [user], enrol: true, ct);
        if (result.Quota is not null || result.Conflict is not null)
        {
            return new CourseResult<CourseEntity>(null, [], result.Conflict, result.Quota);
        }

        invite.UsesLeft--;
        await db.SaveChangesAsync(ct);
        return CourseResults.Ok<CourseEntity>(course);
    }

    /// <summary>Publishes a new version; students without an instance get one. All or nothing on quota.</summary>
    public async Task<CourseResult<CourseVersionInfo>> PublishAsync(CourseEntity course, string document, CancellationToken ct)
    {
        var parsed = RoomDocument.Parse(document);
        if (!parsed.IsValid || parsed.Definition is null)
        {
            return CourseResults.Invalid<CourseVersionInfo>(parsed.Errors);
        }

        var templates = await db.Templates.AsNoTracking().ToListAsync(ct);
        var errors = RoomValidator.Validate(parsed.Definition, rooms.ValidationContextFor(templates));
        if (errors.Count > 0)
        {
            return CourseResults.Invalid<CourseVersionInfo>(errors);
        }

        var version = (await db.CourseVersions.Where(v => v.CourseId == course.Id).MaxAsync(v => (int?)v.Version, ct) ?? 0) + 1;
        var published = new CourseVersionEntity
        {
            CourseId = course.Id,
            Version = version,
            DefinitionJson = RoomDocument.ToJson(parsed.Definition),
            PublishedAt = time.GetUtcNow(),
        };
        var enrolledIds = await db.Enrolments.Where(e => e.CourseId == course.Id).Select(e => e.UserId).ToListAsync(ct);
        var withInstance = await db.Rooms.Where(r => r.CourseId == course.Id && !r.DeletionRequested).Select(r => r.OwnerId).ToListAsync(ct);
        var students = await db.Users.Where(u => enrolledIds.Contains(u.Id) && !withInstance.Contains(u.Id)).ToListAsync(ct);

        // From the quota check to the last instance's save: no other change takes the capacity in between.
        using var holding = await rooms.Gate.EnterAsync(ct);
        var violation = await CheckInstancesAsync(course, parsed.Definition, students.Count, ct);
        if (violation is not null)
        {
            return CourseResults.OverQuota<CourseVersionInfo>(violation);
        }

        db.CourseVersions.Add(published);
        await db.SaveChangesAsync(ct);
        var created = 0;
        var problems = new List<string>();
        foreach (var student in students)
        {
            var result = await rooms.CreateInstanceAsync(student, course, version, parsed.Definition, ct);
            created += result.Task is null ? 0 : 1;
            if (Problem(student, result) is { } problem)
            {
                problems.Add(problem);
            }
        }

        return CourseResults.Ok<CourseVersionInfo>(
            new CourseVersionInfo(version, parsed.Definition.Metadata.Name, published.PublishedAt, created, problems.Count == 0 ? null : problems));
    }

    public async Task<IReadOnlyList<CourseVersionInfo>> VersionsAsync(CourseEntity course, CancellationToken ct)
    {
        var versions = await db.CourseVersions.AsNoTracking().Where(v => v.CourseId == course.Id).OrderBy(v => v.Version).ToListAsync(ct);
        var counts = await db.Rooms.Where(r => r.CourseId == course.Id).GroupBy(r => r.CourseVersion).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return versions.Select(v => new CourseVersionInfo(
            v.Version,
            RoomDocument.Parse(v.DefinitionJson).Definition?.Metadata.Name ?? "",
            v.PublishedAt,
            counts.FirstOrDefault(c => c.Key == v.Version)?.Count ?? 0)).ToList();
    }

    public async Task<IReadOnlyList<CourseInstanceInfo>> InstancesAsync(CourseEntity course, CancellationToken ct)
    {
        var instances = await db.ReadRooms().Where(r => r.CourseId == course.Id).ToListAsync(ct);
        var owners = instances.Select(r => r.OwnerId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Username, ct);
        var checks = await CheckSummariesAsync(instances.Select(r => r.Id).ToList(), ct);
        var activity = await InstanceActivity.OfAsync(db, instances, time.GetUtcNow(), ct);
        return instances
            .Select(r => new CourseInstanceInfo(
                r.Id, r.Name, names.GetValueOrDefault(r.OwnerId) ?? r.OwnerId, r.CourseVersion ?? 0, RoomViews.Phase(r),
                r.Machines.Count, r.Machines.Count(m => m.ObservedState == MachineStates.Running), checks.GetValueOrDefault(r.Id),
                activity[r.Id].At, activity[r.Id].What))
            .OrderBy(i => i.Student, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Each instance's latest check run in one line (ADR 0042), by room id; rooms whose checks never ran are absent.</summary>
    private async Task<Dictionary<string, CheckSummary>> CheckSummariesAsync(List<string> roomIds, CancellationToken ct) =>
        (await db.CheckResults.AsNoTracking().Where(c => roomIds.Contains(c.RoomId)).Select(c => new { c.RoomId, c.Passed, c.RanAt }).ToListAsync(ct))
            .GroupBy(c => c.RoomId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new CheckSummary(g.Count(c => c.Passed), g.Count(), g.Max(c => c.RanAt)), StringComparer.Ordinal);

    /// <summary>Enrols <paramref name="students"/> and gives each an instance of the latest version, if any.</summary>
    private async Task<CourseResult<int>> InstantiateAsync(CourseEntity course, List<UserEntity> students, bool enrol, CancellationToken ct)
    {
        var latest = await db.CourseVersions.AsNoTracking().Where(v => v.CourseId == course.Id).OrderByDescending(v => v.Version).FirstOrDefaultAsync(ct);
        var definition = latest is null ? null : RoomDocument.Parse(latest.DefinitionJson).Definition;
        using var holding = await rooms.Gate.EnterAsync(ct);
        if (definition is not null && await CheckInstancesAsync(course, definition, students.Count, ct) is { } violation)
        {
            return CourseResults.OverQuota<int>(violation);
        }

        if (enrol)
        {
            foreach (var student in students)
            {
                db.Enrolments.Add(new EnrolmentEntity { CourseId = course.Id, UserId = student.Id, EnrolledAt = time.GetUtcNow() });
            }

            await db.SaveChangesAsync(ct);
        }

        var created = 0;
        if (definition is not null)
        {
            foreach (var student in students)
            {
                var result = await rooms.CreateInstanceAsync(student, course, latest!.Version, definition, ct);
                created += result.Task is null ? 0 : 1;
                if (Problem(student, result) is { } problem)
                {
                    // Enrolled, but without an instance: say so instead of a silent success.
                    return CourseResults.InConflict<int>($"{student.Username} is enrolled, but {problem}");
                }
            }
        }

        return CourseResults.Ok<int>(created);
    }

    private async Task<QuotaViolation?> CheckInstancesAsync(CourseEntity course, RoomDefinition definition, int count, CancellationToken ct)
    {
        if (count == 0)
        {
            return null;
        }

        var teacher = await db.Users.AsNoTracking().FirstAsync(u => u.Id == course.OwnerId, ct);
        var demands = await rooms.DemandsOfAsync(definition, ct);
        return await quotas.CheckAsync(teacher, course, null, Enumerable.Repeat(demands, count).SelectMany(d => d).ToList(), ct);
    }

    /// <summary>
    /// A teacher's course quota above the platform's course default, by field (issue 11: otherwise a teacher could lift
    /// the default for their own course; an admin may).
    /// </summary>
    private static IEnumerable<ValidationError> AboveDefault(Core.Api.Identity.QuotaLimits? wanted, Core.Api.Identity.QuotaLimits limit)
    {
        var pairs = new (string Field, long? Wanted, long? Limit)[]
        {
            ("quota.cpus", wanted?.Cpus, limit.Cpus),
            ("quota.memoryBytes", wanted?.MemoryBytes, limit.MemoryBytes),
            ("quota.diskBytes", wanted?.DiskBytes, limit.DiskBytes),
            ("quota.runningVms", wanted?.RunningVms, limit.RunningVms),
        };
        return pairs.Where(p => p is { Wanted: { } w, Limit: { } l } && w > l)
            .Select(p => new ValidationError(p.Field, $"may be at most {p.Limit} (the platform's course default, SkillVL:Quotas:Course); an admin can create a larger course."));
    }

    /// <summary>Why a student got no instance, or null when they did.</summary>
    private static string? Problem(UserEntity student, ApplyResult result) => result switch
    {
        { Task: not null } => null,
        { Conflict: { } conflict } => $"no instance for {student.Username}: {conflict}",
        { Quota: { } quota } => $"no instance for {student.Username}: {quota.Message}",
        _ => $"no instance for {student.Username}: " + string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")),
    };

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
