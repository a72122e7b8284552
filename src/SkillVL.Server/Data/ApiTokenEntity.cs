namespace SkillVL.Server.Data;

/// <summary>A personal API token. Only the SHA-256 of its secret is stored.</summary>
public sealed class ApiTokenEntity
{
    public required string Id { get; set; }

    public required string UserId { get; set; }

    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole token string.</summary>
    public required string SecretHash { get; set; }

    /// <summary>Space-separated ApiTokenScopes.</summary>
    public required string Scopes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>
    /// The API token this one was created with; null when it was made by a login session (or by the Server).
    /// Revoking the parent revokes it too, and it never expires after the parent (ADR 0015).
    /// </summary>
    public string? ParentId { get; set; }
}
