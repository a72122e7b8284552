namespace SkillVL.Server.Data;

/// <summary>
/// A platform user: a local account of the embedded issuer (with a password hash) or a user first seen in an
/// external IdP's token (issuer + subject, no password).
/// </summary>
public sealed class UserEntity
{
    public required string Id { get; set; }

    public required string Username { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>admin | teacher | student (PlatformRoles). For external users: the role the last token mapped to.</summary>
    public required string Role { get; set; }

    /// <summary>Local accounts only (ASP.NET Core Identity's PBKDF2 format).</summary>
    public string? PasswordHash { get; set; }

    /// <summary>Null for local accounts; the issuer URL for external users.</summary>
    public string? ExternalIssuer { get; set; }

    public string? ExternalSubject { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public int? QuotaCpus { get; set; }

    public long? QuotaMemoryBytes { get; set; }

    public long? QuotaDiskBytes { get; set; }

    public int? QuotaRunningVms { get; set; }

    /// <summary>
    /// Raised by every password change or reset. Every login cookie, authorization code, refresh token and access
    /// token the embedded issuer makes carries the value it had then; one that differs is refused (ADR 0015).
    /// </summary>
    public int CredentialGeneration { get; set; }

    /// <summary>
    /// When an admin disabled the account; null while it is enabled. A disabled account cannot log in, and every
    /// credential it holds is refused on its next use (ADR 0043). Its rooms and machines are left as they are.
    /// </summary>
    public DateTimeOffset? DisabledAt { get; set; }
}
