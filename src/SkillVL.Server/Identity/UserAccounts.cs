using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Identity;
using SkillVL.Server.Data;

namespace SkillVL.Server.Identity;

/// <summary>
/// An admin sets another user's role, disables or enables an account (issue 17, ADR 0043). The rules that keep the
/// platform administrable: nobody changes their own role or disables themself (another admin must), and the last
/// enabled admin is never demoted or disabled. The checks and the write run one at a time, with the caller and the
/// admins read again inside: two admins demoting each other at once would otherwise both pass the count and leave
/// none. The user cache is dropped after each change, so the next request of the user sees it (the role is read
/// per request from the cached user, never from a token's claims). A disable or a role change also ends the user's open
/// browser consoles, which were checked only when they opened (ADR 0046).
/// </summary>
public sealed class UserAccounts(
    IDbContextFactory<SkillVlDbContext> dbFactory,
    UserDirectory users,
    UserSessions sessions,
    Consoles.ConsoleSessions consoles,
    TimeProvider time,
    ILogger<UserAccounts> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public Task<AccountChange> SetRoleAsync(string callerId, string userId, string role, CancellationToken cancellationToken) =>
        ChangeAsync(callerId, userId, "change your own role", async (db, user) =>
        {
            if (user.ExternalIssuer is not null)
            {
                // Every token of an external user maps its role anew (RoleMapper); a role set here would last one request.
                return AccountChange.Refused(
                    $"User '{user.Username}' belongs to the identity provider {user.ExternalIssuer}, whose tokens carry the role; change it there.");
            }

            var old = user.Role;
            if (old == role)
            {
                return new AccountChange(user);
            }

            if (old == PlatformRoles.Admin && user.DisabledAt is null && !await OtherEnabledAdminAsync(db, user.Id, cancellationToken))
            {
                return AccountChange.Refused($"User '{user.Username}' is the last enabled admin; make another user admin first.");
            }

            user.Role = role;
            await db.SaveChangesAsync(cancellationToken);
            users.Invalidate(user.Id);
            // Every console of the user ends, not only those the new role may no longer see: the browser may open them
            // again, and is checked afresh with the new role (ADR 0046).
            consoles.EndForUser(user.Id, Consoles.ConsoleSessions.RoleChanged);
            IdentityLog.RoleChanged(logger, user.Id, user.Username, role, old, callerId);
            return new AccountChange(user);
        }, cancellationToken);

    /// <summary>
    /// Disables the account and ends its sessions for good: the credential generation goes up, so enabling it again
    /// restores the password login but no old cookie, code, refresh or access token. API tokens stay in the store and
    /// are refused while the account is disabled (they are the user's credentials for scripts, like the password).
    /// Rooms and machines are left as they are.
    /// </summary>
    public Task<AccountChange> DisableAsync(string callerId, string userId, CancellationToken cancellationToken) =>
        ChangeAsync(callerId, userId, "disable your own account", async (db, user) =>
        {
            if (user.DisabledAt is not null)
            {
                return new AccountChange(user);
            }

            if (user.Role == PlatformRoles.Admin && !await OtherEnabledAdminAsync(db, user.Id, cancellationToken))
            {
                return AccountChange.Refused($"User '{user.Username}' is the last enabled admin; it cannot be disabled.");
            }

            // Whole milliseconds: the column keeps less than a tick, and the answer should equal what a GET reads back.
            var now = time.GetUtcNow();
            user.DisabledAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
            var generation = ++user.CredentialGeneration;
            await db.SaveChangesAsync(cancellationToken);
            users.Invalidate(user.Id);
            consoles.EndForUser(user.Id, Consoles.ConsoleSessions.AccountDisabled);
            var revoked = await sessions.RevokeIssuedAsync(user.Id, cancellationToken);
            IdentityLog.AccountDisabled(logger, user.Id, user.Username, callerId, generation, revoked);
            return new AccountChange(user);
        }, cancellationToken);

    public Task<AccountChange> EnableAsync(string callerId, string userId, CancellationToken cancellationToken) =>
        ChangeAsync(callerId, userId, "enable your own account", async (db, user) =>
        {
            if (user.DisabledAt is null)
            {
                return new AccountChange(user);
            }

            user.DisabledAt = null;
            await db.SaveChangesAsync(cancellationToken);
            users.Invalidate(user.Id);
            IdentityLog.AccountEnabled(logger, user.Id, user.Username, callerId);
            return new AccountChange(user);
        }, cancellationToken);

    public void Dispose() => _gate.Dispose();

    /// <summary>One change: one at a time, the caller and target read again inside the gate (<see cref="LoadAsync"/>).</summary>
    private async Task<AccountChange> ChangeAsync(
        string callerId, string userId, string selfAction, Func<SkillVlDbContext, UserEntity, Task<AccountChange>> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var (user, refusal) = await LoadAsync(db, callerId, userId, selfAction, cancellationToken);
            return refusal ?? await change(db, user!);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The target, tracked; or why the caller may not change it (read again here, inside the gate).</summary>
    private static async Task<(UserEntity? User, AccountChange? Refusal)> LoadAsync(
        SkillVlDbContext db, string callerId, string userId, string selfAction, CancellationToken cancellationToken)
    {
        var caller = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == callerId, cancellationToken);
        if (caller is not { Role: PlatformRoles.Admin, DisabledAt: null })
        {
            return (null, new AccountChange(null, Forbidden: "Only an enabled admin can change accounts."));
        }

        if (userId == callerId)
        {
            return (null, AccountChange.Refused($"You cannot {selfAction}; another admin must."));
        }

        // Deleted since the route found it: no user and no reason, which the route answers with 404.
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is null ? (null, new AccountChange(null)) : (user, null);
    }

    private static Task<bool> OtherEnabledAdminAsync(SkillVlDbContext db, string userId, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Id != userId && u.Role == PlatformRoles.Admin && u.DisabledAt == null, cancellationToken);
}
