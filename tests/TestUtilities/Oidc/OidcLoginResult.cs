namespace SkillVL.TestUtilities.Oidc;

/// <summary>
/// The outcome of one authorization-code login: the tokens, or — when the provider showed its form again —
/// the form's error message and no tokens.
/// </summary>
public sealed record OidcLoginResult(string? AccessToken, string? IdToken, string? LoginError)
{
    public bool Succeeded => AccessToken is not null;
}
