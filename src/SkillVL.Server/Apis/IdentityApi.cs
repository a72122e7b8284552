using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Identifiers;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;
using SkillVL.Server.Quotas;

namespace SkillVL.Server.Apis;

/// <summary>Who am I, users (admin), personal API tokens (own, <see cref="TokensApi"/>), the audit log (admin).</summary>
public static partial class IdentityApi
{
    /// <summary>The unauthenticated part: how to log in.</summary>
    public static void MapAuthConfig(this WebApplication app) =>
        app.MapGet(ApiPaths.AuthConfig, (IOptions<SkillVlServerOptions> options) => TypedResults.Ok(AuthSetup.Describe(options.Value)))
            .WithTags("Identity").WithSummary("How clients log in: issuer, audience, client ids (no authentication)")
            .AllowAnonymous();

    public static RouteGroupBuilder MapIdentityApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", async (HttpContext http, UserDirectory users, QuotaService quotas, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var user = await users.FindByIdAsync(caller.Id, ct);
            return TypedResults.Ok(new MeInfo(ToInfo(user!), caller.AuthenticatedBy, caller.Scopes, await quotas.UsageAsync(user!, ct)));
        }).WithTags("Identity").WithSummary("Who you are, how you authenticated, your quota use");

        api.MapPost("/me/password", ChangeOwnPasswordAsync)
            .WithTags("Identity").Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Change your own password (local accounts); ends all your sessions, and your API tokens when revokeApiTokens is true");

        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("/", async (HttpContext http, SkillVlDbContext db, CancellationToken ct) =>
            http.Caller().IsAdmin
                ? Results.Ok((await db.Users.AsNoTracking().OrderBy(u => u.Username).ToListAsync(ct)).Select(ToInfo).ToList())
                : ApiResults.Forbidden("Only an admin can list users."))
            .Produces<List<UserInfo>>().ProducesProblem(StatusCodes.Status403Forbidden).WithSummary("List users (admin)");
        users.MapPost("/", CreateUserAsync)
            .Produces<CreatedUser>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Add a local account (admin); without a password one is generated and returned once");
        users.MapGet("/{user}", async (string user, HttpContext http, SkillVlDbContext db, CancellationToken ct) =>
            await FindUserAsync(http.Caller(), db.Users.AsNoTracking(), user, ct) is { } found ? Results.Ok(ToInfo(found)) : ApiResults.NotFound($"User '{user}'"))
            .Produces<UserInfo>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Get a user (admin, or yourself)");
        users.MapPut("/{user}/quota", SetQuotaAsync)
            .Produces<UserInfo>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Set a user's own quota limits (admin); a null limit falls back to the role's default");
        users.MapPut("/{user}/password", SetPasswordAsync)
            .Produces<CreatedUser>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Set a local account's password (admin); without one a password is generated and returned once. Ends the user's sessions and revokes their API tokens");
        users.MapUserAccountsApi();
        users.MapDelete("/{user}", DeleteUserAsync)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Delete a user without rooms (admin)");

        api.MapTokensApi();

        api.MapGet("/audit", async (HttpContext http, AuditService audit, string? user, string? action, DateTimeOffset? since, long? before, int? limit, CancellationToken ct) =>
            http.Caller().IsAdmin
                ? Results.Ok(await audit.QueryAsync(user, action, since, before, Math.Clamp(limit ?? 100, 1, 1000), ct))
                : ApiResults.Forbidden("Only an admin can read the audit log."))
            .Produces<List<AuditEntry>>().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithTags("Audit").WithSummary("Query the append-only audit log, newest first (admin); before=ID pages back past entry ID");
        return api;
    }

    public static UserInfo ToInfo(UserEntity user) => new(
        user.Id,
        user.Username,
        user.DisplayName,
        user.Role,
        user.ExternalIssuer ?? "local",
        user.CreatedAt,
        user is { QuotaCpus: null, QuotaMemoryBytes: null, QuotaDiskBytes: null, QuotaRunningVms: null }
            ? null
            : new QuotaLimits(user.QuotaCpus, user.QuotaMemoryBytes, user.QuotaDiskBytes, user.QuotaRunningVms),
        user.DisabledAt);

    /// <summary>A user by id or username: any for an admin, only oneself otherwise.</summary>
    internal static Task<UserEntity?> FindUserAsync(CurrentUser caller, IQueryable<UserEntity> users, string idOrName, CancellationToken ct) =>
        users.Where(u => caller.IsAdmin || u.Id == caller.Id).FirstOrDefaultAsync(u => u.Id == idOrName || u.Username == idOrName, ct);

    private static async Task<IResult> CreateUserAsync(CreateUserRequest request, HttpContext http, SkillVlDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!http.Caller().IsAdmin)
        {
            return ApiResults.Forbidden("Only an admin can add users.");
        }

        var errors = new List<Core.Rooms.ValidationError>();
        if (request.Username is null || !UsernamePattern().IsMatch(request.Username))
        {
            errors.Add(new("username", "must be 1-32 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or digit."));
        }

        if (!PlatformRoles.IsKnown(request.Role))
        {
            errors.Add(new("role", $"must be one of {string.Join(", ", PlatformRoles.All)}."));
        }

        if (request.Password is { Length: < 8 })
        {
            errors.Add(new("password", "must have at least 8 characters."));
        }

        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors, "The user is not valid.");
        }

        if (await db.Users.AnyAsync(u => u.Username == request.Username, ct))
        {
            return ApiResults.Conflict($"A user named '{request.Username}' already exists.");
        }

        var generated = request.Password is null ? ApiTokenService.Base64Url(RandomNumberGenerator.GetBytes(12)) : null;
        var user = new UserEntity
        {
            Id = ShortId.New(),
            Username = request.Username!,
            DisplayName = request.DisplayName,
            Role = request.Role!,
            CreatedAt = time.GetUtcNow(),
        };
        user.PasswordHash = UserDirectory.HashPassword(user, request.Password ?? generated!);
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        return Results.Created(ApiPaths.User(user.Id), new CreatedUser(ToInfo(user), generated));
    }

    /// <summary>
    /// Ends every session of the account (ADR 0015), this request's included; the personal API tokens too when
    /// the request says so. The current password is checked like a login: throttled and audited.
    /// </summary>
    private static async Task<IResult> ChangeOwnPasswordAsync(
        ChangePasswordRequest request, HttpContext http, SkillVlDbContext db, PasswordCheck passwords, UserSessions sessions, CancellationToken ct)
    {
        var caller = http.Caller();
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == caller.Id, ct);
        if (user.PasswordHash is null)
        {
            return ApiResults.Conflict("Your account belongs to an external identity provider; change the password there.");
        }

        var check = await passwords.CheckAsync(http, user.Username, request.CurrentPassword ?? "", "password-change", ct);
        if (check.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many wrong passwords",
                detail: $"Too many wrong passwords for this account from your address; try again in {(int)wait.TotalSeconds} seconds.");
        }

        if (check.User is null)
        {
            return ApiResults.Invalid("currentPassword", "is not your current password.", "The password change is not valid.");
        }

        if (request.NewPassword is not { Length: >= 8 })
        {
            return ApiResults.Invalid("newPassword", "must have at least 8 characters.", "The password change is not valid.");
        }

        await sessions.SetPasswordAsync(user.Id, request.NewPassword, request.RevokeApiTokens, ct);
        return Results.NoContent();
    }

    /// <summary>An admin's reset ends every session of the account and revokes all its personal API tokens (ADR 0015).</summary>
    private static async Task<IResult> SetPasswordAsync(string user, SetPasswordRequest request, HttpContext http, SkillVlDbContext db, UserSessions sessions, CancellationToken ct)
    {
        var caller = http.Caller();
        var entity = await FindUserAsync(caller, db.Users, user, ct);
        if (entity is null)
        {
            return ApiResults.NotFound($"User '{user}'");
        }

        if (!caller.IsAdmin)
        {
            return ApiResults.Forbidden("Only an admin can set another user's password; change your own with POST /api/v1/me/password.");
        }

        if (entity.ExternalIssuer is not null)
        {
            return ApiResults.Conflict($"User '{entity.Username}' belongs to the identity provider {entity.ExternalIssuer}; set the password there.");
        }

        if (request.Password is { Length: < 8 })
        {
            return ApiResults.Invalid("password", "must have at least 8 characters.", "The password is not valid.");
        }

        var generated = request.Password is null ? ApiTokenService.Base64Url(RandomNumberGenerator.GetBytes(12)) : null;
        await sessions.SetPasswordAsync(entity.Id, request.Password ?? generated!, revokeApiTokens: true, ct);
        return Results.Ok(new CreatedUser(ToInfo(entity), generated));
    }

    private static async Task<IResult> SetQuotaAsync(string user, QuotaLimits limits, HttpContext http, SkillVlDbContext db, UserDirectory directory, CancellationToken ct)
    {
        var caller = http.Caller();
        var entity = await FindUserAsync(caller, db.Users, user, ct);
        if (entity is null)
        {
            return ApiResults.NotFound($"User '{user}'");
        }

        if (!caller.IsAdmin)
        {
            return ApiResults.Forbidden("Only an admin can change quotas.");
        }

        if (Quotas.QuotaLimitErrors.For(limits, "") is { Count: > 0 } errors)
        {
            return ApiResults.Invalid(errors, "The quota is not valid.");
        }

        (entity.QuotaCpus, entity.QuotaMemoryBytes, entity.QuotaDiskBytes, entity.QuotaRunningVms) = (limits.Cpus, limits.MemoryBytes, limits.DiskBytes, limits.RunningVms);
        await db.SaveChangesAsync(ct);
        directory.Invalidate(entity.Id);
        return Results.Ok(ToInfo(entity));
    }

    private static async Task<IResult> DeleteUserAsync(
        string user, HttpContext http, SkillVlDbContext db, UserDirectory directory, ApiTokenService tokens, Consoles.ConsoleSessions consoles, CancellationToken ct)
    {
        var caller = http.Caller();
        var entity = await FindUserAsync(caller, db.Users, user, ct);
        if (entity is null)
        {
            return ApiResults.NotFound($"User '{user}'");
        }

        if (!caller.IsAdmin)
        {
            return ApiResults.Forbidden("Only an admin can delete users.");
        }

        if (entity.Id == caller.Id)
        {
            return ApiResults.Conflict("You cannot delete yourself.");
        }

        var rooms = await db.Rooms.CountAsync(r => r.OwnerId == entity.Id, ct);
        var courses = await db.Courses.CountAsync(c => c.OwnerId == entity.Id, ct);
        if (rooms > 0 || courses > 0)
        {
            return ApiResults.Conflict($"User '{entity.Username}' still owns {rooms} room(s) and {courses} course(s); delete them first.");
        }

        await db.ApiTokens.Where(t => t.UserId == entity.Id).ExecuteDeleteAsync(ct);
        await db.Enrolments.Where(e => e.UserId == entity.Id).ExecuteDeleteAsync(ct);
        db.Users.Remove(entity);
        await db.SaveChangesAsync(ct);
        directory.Invalidate(entity.Id);
        tokens.ForgetUser(entity.Id);
        consoles.EndForUser(entity.Id, Consoles.ConsoleSessions.AccountDeleted);
        return Results.NoContent();
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,31}$")]
    private static partial Regex UsernamePattern();
}
