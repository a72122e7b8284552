namespace SkillVL.Server.Identity;

/// <summary>Claims of the platform principal every authenticated request carries, whatever authenticated it.</summary>
public static class SkillVlClaims
{
    /// <summary>The platform user id (UserEntity.Id).</summary>
    public const string UserId = "skillvl_uid";

    public const string Username = "skillvl_username";

    /// <summary>admin | teacher | student; absent when an external token mapped to no role.</summary>
    public const string Role = "skillvl_role";

    /// <summary>"oidc" or "api-token".</summary>
    public const string AuthenticatedBy = "skillvl_amr";

    /// <summary>One claim per API token scope (OIDC logins carry read and write).</summary>
    public const string Scope = "skillvl_scope";

    /// <summary>Set when a token mapped to no role: the values it had, for the 403 message.</summary>
    public const string UnmappedRoles = "skillvl_unmapped";

    /// <summary>
    /// The user's credential generation when the embedded issuer made the cookie, code or token
    /// (UserEntity.CredentialGeneration); a password change raises it and so ends them all.
    /// </summary>
    public const string CredentialGeneration = "skillvl_cgen";

    /// <summary>The id of the API token that authenticated the request (absent for OIDC logins).</summary>
    public const string TokenId = "skillvl_token";

    /// <summary>The claim the embedded issuer puts its role in.</summary>
    public const string EmbeddedRoleClaim = "role";
}
