namespace SkillVL.Server.Identity;

/// <summary>Section "SkillVL:Auth:External": an external OIDC issuer (Keycloak first).</summary>
public sealed class ExternalIdpOptions
{
    /// <summary>The issuer URL; its /.well-known/openid-configuration names the keys (e.g. https://kc/realms/skillvl).</summary>
    public string? Authority { get; set; }

    /// <summary>Claim that names the user. Default preferred_username (Keycloak).</summary>
    public string UsernameClaim { get; set; } = "preferred_username";

    /// <summary>
    /// Where roles are read from, as dotted paths into the token's JSON: each value found (string or array of
    /// strings) is looked up in <see cref="RoleMap"/>. Default: Keycloak's realm roles, the web client's roles, groups.
    /// </summary>
    public List<string> RoleClaims { get; set; } = [];

    /// <summary>Token value → platform role (admin, teacher, student). The highest mapped role wins.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Refuse a discovery document over plain HTTP. Default true; tests on loopback turn it off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The role claim paths in effect (the defaults for Keycloak when none are configured).</summary>
    public IReadOnlyList<string> EffectiveRoleClaims(string webClientId) =>
        RoleClaims.Count > 0 ? RoleClaims : ["realm_access.roles", $"resource_access.{webClientId}.roles", "groups"];
}
