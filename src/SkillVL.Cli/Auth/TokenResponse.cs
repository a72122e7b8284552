namespace SkillVL.Cli.Auth;

/// <summary>A token endpoint's answer: tokens, or an OAuth error code (RFC 6749 §5.2, RFC 8628 §3.5).</summary>
/// <param name="Error">e.g. "authorization_pending", "slow_down", "expired_token", "access_denied", "invalid_grant".</param>
/// <param name="ExpiresIn">The access token's lifetime, if the issuer said.</param>
internal sealed record TokenResponse(
    string? AccessToken,
    string? RefreshToken,
    TimeSpan? ExpiresIn,
    string? Error,
    string? ErrorDescription)
{
    public bool IsSuccess => Error is null && AccessToken is not null;

    /// <summary>For messages: "invalid_grant (Token is not active)".</summary>
    public string ErrorText => ErrorDescription is { Length: > 0 } description ? $"{Error} ({description})" : Error ?? "no access token";
}
