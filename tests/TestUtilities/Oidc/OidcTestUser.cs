using System.Text.Json.Serialization;

namespace SkillVL.TestUtilities.Oidc;

/// <summary>
/// A user of the test OIDC provider, shaped like a Keycloak user: realm roles land in the access token's
/// <c>realm_access.roles</c>, client roles in <c>resource_access.&lt;clientId&gt;.roles</c>, groups (full paths,
/// e.g. <c>/skillvl/students</c>) in <c>groups</c>.
/// </summary>
public sealed record OidcTestUser(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("password")] string Password)
{
    [JsonPropertyName("realmRoles")]
    public IReadOnlyList<string> RealmRoles { get; init; } = [];

    /// <summary>Client id → that client's roles for the user.</summary>
    [JsonPropertyName("clientRoles")]
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ClientRoles { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    [JsonPropertyName("groups")]
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>The token's <c>sub</c>; null: a UUID the provider derives from the username (stable across restarts).</summary>
    [JsonPropertyName("sub")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Subject { get; init; }
}
