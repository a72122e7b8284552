using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SkillVL.Server.Identity;

/// <summary>Authenticates "Authorization: Bearer svl_…" personal API tokens.</summary>
public sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenService tokens,
    UserDirectory users) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "api-token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = AuthSetup.BearerToken(Request);
        if (secret is null || !secret.StartsWith(ApiTokenService.Prefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var token = await tokens.ValidateAsync(secret, Context.RequestAborted);
        var user = token is null ? null : await users.FindByIdAsync(token.UserId, Context.RequestAborted);
        if (token is null || user is null)
        {
            // No detail: unknown, revoked and expired look the same from outside.
            return AuthenticateResult.Fail("invalid token");
        }

        if (user.DisabledAt is not null)
        {
            // Kept, not revoked: the token works again once an admin enables the account (ADR 0043).
            return AuthenticateResult.Fail(new AccountDisabledException());
        }

        var principal = CurrentUser.Principal(
            user.Id, user.Username, user.Role, "api-token", token.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), SchemeName);
        // Which token: one it creates records it as its parent, and is bounded by it.
        ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(new System.Security.Claims.Claim(SkillVlClaims.TokenId, token.Id));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
