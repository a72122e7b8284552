namespace SkillVL.Cli.Auth;

/// <summary>An RFC 8628 device authorization response.</summary>
/// <param name="VerificationUriComplete">The verification URI with the user code in it, if the issuer offers one.</param>
/// <param name="Interval">How long to wait between polls of the token endpoint.</param>
internal sealed record DeviceAuthorization(
    string DeviceCode,
    string UserCode,
    string VerificationUri,
    string? VerificationUriComplete,
    TimeSpan ExpiresIn,
    TimeSpan Interval);
