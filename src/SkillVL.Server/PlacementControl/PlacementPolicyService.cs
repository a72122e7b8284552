using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Placements;
using SkillVL.Core.Placement.Control;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;

namespace SkillVL.Server.PlacementControl;

/// <summary>
/// Placement policies per scope (ADR 0030), and who may set them: the global policy an admin; a course's its teacher or an
/// admin; a room's the teacher of its course or an admin, and its owner as self-service; a user's an admin, and the user
/// himself as self-service (off or suggest and quiet windows only — a student may keep his machines still, not have them
/// moved automatically). Reading: an admin every policy; anyone else the global one and those of the courses, rooms and
/// user they may see. A scope object the caller cannot see is answered as unknown (400 on PUT naming the field, 404 on
/// GET and DELETE), never as forbidden, so ids cannot be probed.
/// </summary>
public sealed class PlacementPolicyService(SkillVlDbContext db, AccessService access, TimeProvider time, IOptions<SkillVlServerOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The policies the caller may read.</summary>
    public async Task<IReadOnlyList<PlacementPolicyInfo>> ListAsync(CurrentUser caller, CancellationToken cancellationToken)
    {
        var rows = await db.PlacementPolicies.AsNoTracking().ToListAsync(cancellationToken);
        var courses = await access.VisibleCourses(caller).Select(c => new { c.Id, c.Name }).ToDictionaryAsync(c => c.Id, c => c.Name, cancellationToken);
        var rooms = await access.VisibleRooms(caller, db.Rooms.AsNoTracking()).Select(r => new { r.Id, r.Name }).ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken);
        var users = await db.Users.AsNoTracking().Where(u => caller.IsAdmin || u.Id == caller.Id)
            .Select(u => new { u.Id, u.Username }).ToDictionaryAsync(u => u.Id, u => u.Username, cancellationToken);
        string? Name(PlacementPolicyEntity p) => p.ScopeKind switch
        {
            PlacementScopes.Course => courses.GetValueOrDefault(p.ScopeId!),
            PlacementScopes.Room => rooms.GetValueOrDefault(p.ScopeId!),
            PlacementScopes.User => users.GetValueOrDefault(p.ScopeId!),
            _ => null,
        };
        return rows
            .Where(p => p.ScopeKind == PlacementScopes.Global || Name(p) is not null)
            .OrderBy(p => PlacementScopes.MostSpecificFirst.Count - PlacementScopes.MostSpecificFirst.ToList().IndexOf(p.ScopeKind))
            .ThenBy(p => Name(p), StringComparer.Ordinal)
            .Select(p => Info(p, Name(p)))
            .ToList();
    }

    /// <summary>The policy at a scope (404 when the scope or its policy is unknown to the caller).</summary>
    public async Task<PlacementPolicyAnswer> GetAsync(CurrentUser caller, string scope, string? target, CancellationToken cancellationToken)
    {
        var found = await FindScopeAsync(caller, scope, target, cancellationToken);
        if (found.Error is not null)
        {
            return new(NotFound: $"Placement policy '{scope}{(target is null ? "" : "/" + target)}'");
        }

        var row = await db.PlacementPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.Scope == found.Key, cancellationToken);
        return row is null ? new(NotFound: $"Placement policy of {scope} '{found.Name ?? scope}'") : new(Info(row, found.Name));
    }

    /// <summary>Sets the policy at a scope, replacing what was there.</summary>
    public async Task<PlacementPolicyAnswer> PutAsync(CurrentUser caller, string scope, string? target, PlacementPolicyRequest request, CancellationToken cancellationToken)
    {
        var found = await FindScopeAsync(caller, scope, target, cancellationToken);
        if (found.Error is { } unknown)
        {
            return new(Errors: [unknown]);
        }

        if (found.Forbidden is { } forbidden)
        {
            return new(Forbidden: forbidden);
        }

        var errors = new List<ValidationError>();
        var windows = ReadWindows(request.Windows, errors);
        var policy = new PlacementPolicy(
            request.Mode?.Trim().ToLowerInvariant(), request.HysteresisEvaluations, request.MinStaySeconds, request.MaxMovesPerNode, request.MaxMovesPerLink, windows);
        errors.AddRange(PlacementPolicyRules.Validate(policy, found.Kind, found.SelfService, time.GetUtcNow()));
        if (errors.Count > 0)
        {
            return new(Errors: errors);
        }

        var row = await db.PlacementPolicies.FirstOrDefaultAsync(p => p.Scope == found.Key, cancellationToken);
        if (row is null)
        {
            row = new PlacementPolicyEntity { Scope = found.Key, ScopeKind = found.Kind, ScopeId = found.Id, UpdatedBy = caller.Username };
            db.PlacementPolicies.Add(row);
        }

        row.Mode = policy.Mode;
        row.HysteresisEvaluations = policy.HysteresisEvaluations;
        row.MinStaySeconds = policy.MinStaySeconds;
        row.MaxMovesPerNode = policy.MaxMovesPerNode;
        row.MaxMovesPerLink = policy.MaxMovesPerLink;
        row.WindowsJson = windows is null or { Count: 0 } ? null : JsonSerializer.Serialize(windows, Json);
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedBy = caller.Username;
        await db.SaveChangesAsync(cancellationToken);
        return new(Info(row, found.Name));
    }

    /// <summary>Removes the policy at a scope: the less specific scopes decide again.</summary>
    public async Task<PlacementPolicyAnswer> DeleteAsync(CurrentUser caller, string scope, string? target, CancellationToken cancellationToken)
    {
        var found = await FindScopeAsync(caller, scope, target, cancellationToken);
        if (found.Error is not null)
        {
            return new(NotFound: $"Placement policy '{scope}{(target is null ? "" : "/" + target)}'");
        }

        if (found.Forbidden is { } forbidden)
        {
            return new(Forbidden: forbidden);
        }

        var deleted = await db.PlacementPolicies.Where(p => p.Scope == found.Key).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? new(NotFound: $"Placement policy of {scope} '{found.Name ?? scope}'") : new(Deleted: true);
    }

    /// <summary>
    /// Every policy, and a function giving a room's effective policy from them (room, owner, course, global, then the
    /// options' defaults). One query: the table holds a row per scope that has a policy, a few hundred at most.
    /// </summary>
    public async Task<Func<RoomEntity, EffectivePlacementPolicy>> ResolverAsync(CancellationToken cancellationToken)
    {
        var rows = (await db.PlacementPolicies.AsNoTracking().ToListAsync(cancellationToken))
            .ToDictionary(p => p.Scope, Policy, StringComparer.Ordinal);
        var defaults = options.Value.Placement.Defaults();
        return room =>
        {
            var scopes = new Dictionary<string, PlacementPolicy>();
            void Add(string kind, string? id)
            {
                if (rows.TryGetValue(Key(kind, id), out var policy))
                {
                    scopes[kind] = policy;
                }
            }

            Add(PlacementScopes.Global, null);
            Add(PlacementScopes.Course, room.CourseId);
            Add(PlacementScopes.User, room.OwnerId);
            Add(PlacementScopes.Room, room.Id);
            return EffectivePlacementPolicy.Resolve(scopes, defaults);
        };
    }

    private static string Key(string kind, string? id) => id is null ? kind : $"{kind}:{id}";

    private static PlacementPolicy Policy(PlacementPolicyEntity row) => new(
        row.Mode, row.HysteresisEvaluations, row.MinStaySeconds, row.MaxMovesPerNode, row.MaxMovesPerLink,
        row.WindowsJson is null ? [] : JsonSerializer.Deserialize<List<QuietWindow>>(row.WindowsJson, Json) ?? []);

    private static PlacementPolicyInfo Info(PlacementPolicyEntity row, string? name)
    {
        var policy = Policy(row);
        return new PlacementPolicyInfo(
            row.ScopeKind, row.ScopeId, name, row.Mode, row.HysteresisEvaluations, row.MinStaySeconds, row.MaxMovesPerNode, row.MaxMovesPerLink,
            policy.Windows!.Select(w => new QuietWindowInfo(w.From, w.To)).ToList(), row.UpdatedAt, row.UpdatedBy);
    }

    private static List<QuietWindow>? ReadWindows(IReadOnlyList<QuietWindowInfo>? windows, List<ValidationError> errors)
    {
        if (windows is null)
        {
            return null;
        }

        var read = new List<QuietWindow>();
        for (var i = 0; i < windows.Count; i++)
        {
            if (windows[i] is not { From: { } from, To: { } to })
            {
                errors.Add(new($"windows[{i}]", "give both from and to (UTC, e.g. 2026-12-07T09:00:00Z)"));
                continue;
            }

            read.Add(new QuietWindow(from.ToUniversalTime(), to.ToUniversalTime()));
        }

        return read;
    }

    /// <summary>The scope named by the route, for this caller: its key, or the field it fails on (unknown to the caller),
    /// or why the caller may not change it.</summary>
    private async Task<FoundScope> FindScopeAsync(CurrentUser caller, string scope, string? target, CancellationToken cancellationToken)
    {
        scope = scope.Trim().ToLowerInvariant();
        if (scope == PlacementScopes.Global && target is null)
        {
            return new(PlacementScopes.Global, PlacementScopes.Global, null, null,
                Forbidden: caller.IsAdmin ? null : "only an admin sets the global placement policy");
        }

        if (target is null || !PlacementScopes.IsKnown(scope) || scope == PlacementScopes.Global)
        {
            return FoundScope.Unknown("scope", $"must be global, course/ID, user/ID or room/ID (got '{scope}{(target is null ? "" : "/" + target)}')");
        }

        switch (scope)
        {
            case PlacementScopes.Course:
                var course = await access.FindCourseAsync(caller, target, cancellationToken);
                return course is null
                    ? FoundScope.Unknown("course", $"no course '{target}' you can see")
                    : new(Key(scope, course.Id), scope, course.Id, course.Name,
                        Forbidden: AccessService.CanManage(caller, course) ? null : "only the course's teacher or an admin sets its placement policy");
            case PlacementScopes.Room:
                var room = await access.FindRoomAsync(caller, db.Rooms.AsNoTracking(), target, cancellationToken);
                if (room is null)
                {
                    return FoundScope.Unknown("room", $"no room '{target}' you can see");
                }

                var teaches = caller.IsAdmin || (room.CourseId is { } courseId && await db.Courses.AnyAsync(c => c.Id == courseId && c.OwnerId == caller.Id, cancellationToken));
                return new(Key(scope, room.Id), scope, room.Id, room.Name, SelfService: !teaches,
                    Forbidden: teaches || room.OwnerId == caller.Id ? null : "only the room's owner, its course's teacher or an admin sets its placement policy");
            default:
                if (!caller.IsAdmin && target != caller.Id && target != caller.Username)
                {
                    return new(string.Empty, scope, null, null, Forbidden: "you may set only your own placement policy");
                }

                var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == target || u.Username == target, cancellationToken);
                return user is null
                    ? FoundScope.Unknown("user", $"no user '{target}'")
                    : new(Key(scope, user.Id), scope, user.Id, user.Username, SelfService: !caller.IsAdmin);
        }
    }

    private sealed record FoundScope(string Key, string Kind, string? Id, string? Name, bool SelfService = false, string? Forbidden = null, ValidationError? Error = null)
    {
        public static FoundScope Unknown(string field, string message) => new(string.Empty, string.Empty, null, null, Error: new(field, message));
    }
}
