using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using SkillVL.Server.Data;

namespace SkillVL.Server.Identity;

/// <summary>
/// Ends a user's sessions when their password changes (ADR 0015). The user's credential generation goes up, and
/// every login cookie, code, refresh token and access token carrying the old one is refused from the next request
/// on (checked against the cached user, so it costs nothing). The issuer's stored tokens and authorizations of the
/// user are revoked as well, and the personal API tokens when asked.
/// </summary>
public sealed class UserSessions(
    IDbContextFactory<SkillVlDbContext> dbFactory, UserDirectory users, ApiTokenService apiTokens, IServiceProvider services, ILogger<UserSessions> logger)
{
    /// <summary>Sets a local account's password and ends everything the old one opened.</summary>
    public async Task SetPasswordAsync(string userId, string password, bool revokeApiTokens, CancellationToken cancellationToken)
    {
        int generation;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
            user.PasswordHash = UserDirectory.HashPassword(user, password);
            generation = ++user.CredentialGeneration;
            await db.SaveChangesAsync(cancellationToken);
        }

        users.Invalidate(userId);
        var revoked = await RevokeIssuedAsync(userId, cancellationToken);
        var apiTokensRevoked = revokeApiTokens ? await apiTokens.RevokeAllAsync(userId, cancellationToken) : -1;
        IdentityLog.SessionsEnded(logger, userId, generation, revoked, apiTokensRevoked < 0 ? "kept" : $"{apiTokensRevoked} revoked");
    }

    /// <summary>
    /// Revokes the embedded issuer's stored tokens and authorizations of the user; how many tokens. The raised
    /// generation is what refuses them at once; this cleans the store and refuses refresh tokens a second way.
    /// </summary>
    public async Task<long> RevokeIssuedAsync(string userId, CancellationToken cancellationToken)
    {
        // Absent in the external mode: an external issuer's sessions are that issuer's to end.
        await using var scope = services.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<IOpenIddictTokenManager>() is { } tokens
            && scope.ServiceProvider.GetService<IOpenIddictAuthorizationManager>() is { } authorizations)
        {
            var revoked = await tokens.RevokeBySubjectAsync(userId, cancellationToken);
            await authorizations.RevokeBySubjectAsync(userId, cancellationToken);
            return revoked;
        }

        return 0;
    }

    /// <summary>The generation claim as tokens and cookies carry it.</summary>
    public static string GenerationClaim(UserEntity user) => user.CredentialGeneration.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether a cookie's or token's generation claim is the user's current one (a missing claim is not).</summary>
    public static bool IsCurrent(UserEntity user, string? generation) =>
        generation is not null && string.Equals(generation, GenerationClaim(user), StringComparison.Ordinal);

    /// <summary>For the login cookie: its user still exists, is not disabled, and its generation is current.</summary>
    public static async Task<bool> IsCurrentAsync(UserDirectory users, ClaimsPrincipal? principal, CancellationToken cancellationToken)
    {
        var id = principal?.FindFirstValue(SkillVlClaims.UserId);
        var user = id is null ? null : await users.FindByIdAsync(id, cancellationToken);
        return user is { DisabledAt: null } && IsCurrent(user, principal!.FindFirstValue(SkillVlClaims.CredentialGeneration));
    }
}
