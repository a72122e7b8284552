using System.Security.Claims;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Server.Identity;

/// <summary>The caller of a request, read from the platform principal.</summary>
public sealed record CurrentUser(string Id, string Username, string Role, string AuthenticatedBy, IReadOnlyList<string> Scopes)
{
    public bool IsAdmin => Role == PlatformRoles.Admin;

    public bool IsTeacher => Role == PlatformRoles.Teacher;

    public bool AtLeastTeacher => PlatformRoles.Rank(Role) <= PlatformRoles.Rank(PlatformRoles.Teacher);

    /// <summary>The caller, or null when the principal is not a platform user with a role.</summary>
    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(SkillVlClaims.UserId);
        var role = principal.FindFirstValue(SkillVlClaims.Role);
        if (id is null || !PlatformRoles.IsKnown(role))
        {
            return null;
        }

        return new CurrentUser(
            id,
            principal.FindFirstValue(SkillVlClaims.Username) ?? id,
            role!,
            principal.FindFirstValue(SkillVlClaims.AuthenticatedBy) ?? "unknown",
            principal.FindAll(SkillVlClaims.Scope).Select(c => c.Value).ToList());
    }

    /// <summary>Builds the platform principal every authentication path produces.</summary>
    public static ClaimsPrincipal Principal(string userId, string username, string? role, string authenticatedBy, IEnumerable<string> scopes, string scheme)
    {
        var claims = new List<Claim>
        {
            new(SkillVlClaims.UserId, userId),
            new(SkillVlClaims.Username, username),
            new(SkillVlClaims.AuthenticatedBy, authenticatedBy),
            new(ClaimTypes.Name, username),
        };
        if (role is not null)
        {
            claims.Add(new Claim(SkillVlClaims.Role, role));
        }

        claims.AddRange(scopes.Select(s => new Claim(SkillVlClaims.Scope, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, SkillVlClaims.Username, SkillVlClaims.Role));
    }
}
