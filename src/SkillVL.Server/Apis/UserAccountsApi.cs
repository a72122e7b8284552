using SkillVL.Core.Api.Identity;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Apis;

/// <summary>
/// An admin sets a user's role and disables or enables an account (issue 17 Deliver 3, ADR 0043). Each is an action
/// on the user (POST …/disable, …/enable, like the other verbs of the API) and answers the user as it is now; doing it
/// twice changes nothing the second time. The audit middleware records each with what changed.
/// </summary>
public static class UserAccountsApi
{
    public static RouteGroupBuilder MapUserAccountsApi(this RouteGroupBuilder users)
    {
        users.MapPut("/{user}/role", SetRoleAsync)
            .Produces<UserInfo>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Set a user's platform role (admin; not your own, never the last enabled admin's); effective from the user's next request");
        users.MapPost("/{user}/disable", (string user, HttpContext http, SkillVlDbContext db, UserAccounts accounts, CancellationToken ct) =>
                ChangeAsync(user, http, db, "disable", (caller, id) => accounts.DisableAsync(caller, id, ct), ct))
            .Produces<UserInfo>().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Disable an account (admin; not your own, never the last enabled admin): no login, every session ends, API tokens are refused; rooms stay");
        users.MapPost("/{user}/enable", (string user, HttpContext http, SkillVlDbContext db, UserAccounts accounts, CancellationToken ct) =>
                ChangeAsync(user, http, db, "enable", (caller, id) => accounts.EnableAsync(caller, id, ct), ct))
            .Produces<UserInfo>().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Enable a disabled account again (admin): the password and API tokens work again, old sessions do not");
        return users;
    }

    private static async Task<IResult> SetRoleAsync(string user, SetRoleRequest request, HttpContext http, SkillVlDbContext db, UserAccounts accounts, CancellationToken ct)
    {
        var caller = http.Caller();
        if (await IdentityApi.FindUserAsync(caller, db.Users, user, ct) is not { } entity)
        {
            return ApiResults.NotFound($"User '{user}'");
        }

        if (!caller.IsAdmin)
        {
            return ApiResults.Forbidden("Only an admin can set roles.");
        }

        if (!PlatformRoles.IsKnown(request.Role))
        {
            return ApiResults.Invalid("role", $"must be one of {string.Join(", ", PlatformRoles.All)}.", "The role is not valid.");
        }

        http.Items[AuditService.DetailItem] = $"role {entity.Role} -> {request.Role}";
        return Answer(await accounts.SetRoleAsync(caller.Id, entity.Id, request.Role!, ct), user);
    }

    private static async Task<IResult> ChangeAsync(
        string user, HttpContext http, SkillVlDbContext db, string verb, Func<string, string, Task<AccountChange>> change, CancellationToken ct)
    {
        var caller = http.Caller();
        if (await IdentityApi.FindUserAsync(caller, db.Users, user, ct) is not { } entity)
        {
            return ApiResults.NotFound($"User '{user}'");
        }

        if (!caller.IsAdmin)
        {
            return ApiResults.Forbidden($"Only an admin can {verb} accounts.");
        }

        http.Items[AuditService.DetailItem] = $"{verb} {entity.Username} (role {entity.Role})";
        return Answer(await change(caller.Id, entity.Id), user);
    }

    private static IResult Answer(AccountChange change, string user) => change switch
    {
        { User: { } changed } => Results.Ok(IdentityApi.ToInfo(changed)),
        { Forbidden: { } forbidden } => ApiResults.Forbidden(forbidden),
        { Conflict: { } conflict } => ApiResults.Conflict(conflict),
        _ => ApiResults.NotFound($"User '{user}'"),
    };
}
