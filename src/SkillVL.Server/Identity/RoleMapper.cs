using System.Text.Json;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Server.Identity;

/// <summary>
/// Maps an external token's claims to a platform role: reads every configured claim path (dotted, into the JSON
/// payload: "realm_access.roles", "resource_access.skillvl-web.roles", "groups"), looks each value up in the role
/// map, and keeps the highest role found. Pure, so it is table-tested.
/// </summary>
public sealed class RoleMapper(IReadOnlyList<string> claimPaths, IReadOnlyDictionary<string, string> roleMap)
{
    public IReadOnlyList<string> ClaimPaths { get; } = claimPaths;

    /// <summary>The mapped role (or null) and every value seen under the claim paths.</summary>
    public RoleMapping Map(JsonElement payload)
    {
        var seen = new List<string>();
        string? best = null;
        foreach (var path in ClaimPaths)
        {
            foreach (var value in ValuesAt(payload, path))
            {
                seen.Add(value);
                if (roleMap.TryGetValue(value, out var role) && PlatformRoles.IsKnown(role)
                    && PlatformRoles.Rank(role) < PlatformRoles.Rank(best))
                {
                    best = role;
                }
            }
        }

        return new RoleMapping(best, seen);
    }

    /// <summary>Strings at a dotted path: a string value, or the strings of an array value.</summary>
    public static IEnumerable<string> ValuesAt(JsonElement payload, string path)
    {
        var current = payload;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return [];
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => [current.GetString()!],
            JsonValueKind.Array => current.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
            _ => [],
        };
    }
}
