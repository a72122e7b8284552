using Microsoft.Extensions.Options;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Identity;

/// <summary>The configured role mapping of the external IdP, and the message when a token maps to no role.</summary>
public sealed class RoleMapperFactory(IOptions<SkillVlServerOptions> options)
{
    private readonly AuthOptions _auth = options.Value.Auth;

    public RoleMapper Create() =>
        new(_auth.External.EffectiveRoleClaims(_auth.WebClientId), _auth.External.RoleMap);

    public string MissingRoleMessage(string seen)
    {
        var paths = string.Join(", ", _auth.External.EffectiveRoleClaims(_auth.WebClientId));
        var map = _auth.External.RoleMap.Count == 0
            ? "it is empty"
            : "it maps " + string.Join(", ", _auth.External.RoleMap.Select(kv => $"'{kv.Key}' to {kv.Value}"));
        return $"Your token maps to no SkillVL role (admin, teacher or student). SkillVL looked in {paths} and found "
            + (seen.Length == 0 ? "no values" : $"[{seen}]")
            + $"; none of them is in the role mapping SkillVL:Auth:External:RoleMap ({map}). Ask an administrator to grant you a mapped role.";
    }
}
