namespace SkillVL.Core.Api.Identity;

/// <summary>Who the caller is, and their quota use.</summary>
/// <param name="AuthenticatedBy">"oidc" or "api-token".</param>
public sealed record MeInfo(UserInfo User, string AuthenticatedBy, IReadOnlyList<string> Scopes, QuotaUsage Quota);
