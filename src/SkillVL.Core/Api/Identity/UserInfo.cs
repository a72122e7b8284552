namespace SkillVL.Core.Api.Identity;

/// <summary>A platform user (a local account of the embedded issuer, or one seen in an external IdP's token).</summary>
/// <param name="Source">"local" or the external issuer URL.</param>
/// <param name="DisabledAt">When an admin disabled the account; null while it is enabled (ADR 0043).</param>
public sealed record UserInfo(
    string Id,
    string Username,
    string? DisplayName,
    string Role,
    string Source,
    DateTimeOffset CreatedAt,
    QuotaLimits? QuotaOverride,
    DateTimeOffset? DisabledAt = null);
