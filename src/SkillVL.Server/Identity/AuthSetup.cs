using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SkillVL.Core.Api.Identity;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Identity;

/// <summary>
/// Wires authentication: one policy scheme picks personal API tokens ("svl_…") or OIDC JWTs. JWTs come from the
/// embedded OpenIddict issuer (validated with its own key, no self-request) or from an external issuer (validated
/// through its discovery document and JWKS, refetched when a token names an unknown key). Both end as the same
/// platform principal (<see cref="CurrentUser"/>).
/// </summary>
public static class AuthSetup
{
    public const string Scheme = "skillvl";
    public const string OidcScheme = "oidc";
    public const string LoginCookieScheme = "skillvl-login";
    public const string PlatformPolicy = "platform";

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The issuer URL with a trailing slash, as it appears in tokens.</summary>
    public static string IssuerUrl(SkillVlServerOptions settings)
    {
        var issuer = string.IsNullOrWhiteSpace(settings.Auth.Issuer) ? settings.Listen : settings.Auth.Issuer!;
        return issuer.EndsWith('/') ? issuer : issuer + "/";
    }

    public static void AddSkillVlAuth(this WebApplicationBuilder builder, SkillVlServerOptions settings)
    {
        var auth = settings.Auth;
        var external = string.Equals(auth.Mode, AuthOptions.ExternalMode, StringComparison.OrdinalIgnoreCase);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<UserDirectory>();
        builder.Services.AddSingleton<ApiTokenService>();
        builder.Services.AddSingleton<RoleMapperFactory>();
        builder.Services.AddSingleton<IAuthorizationHandler, PlatformAccessHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        var authentication = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API token or OIDC", o => o.ForwardDefaultSelector = context =>
                BearerToken(context.Request) is { } token && token.StartsWith(ApiTokenService.Prefix, StringComparison.Ordinal)
                    ? ApiTokenHandler.SchemeName
                    : OidcScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddJwtBearer(OidcScheme, o =>
            {
                o.MapInboundClaims = false;
                o.IncludeErrorDetails = false; // 401 says nothing about why: expired, wrong key, issuer, audience.
                o.RefreshInterval = auth.KeyRefreshInterval;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidAudience = auth.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = auth.ClockSkew,
                };
                if (external)
                {
                    o.Authority = auth.External.Authority;
                    o.RequireHttpsMetadata = auth.External.RequireHttpsMetadata;
                }
                else
                {
                    var keys = IssuerKeys.LoadOrCreate(settings.DataDirectory);
                    o.TokenValidationParameters.ValidIssuer = IssuerUrl(settings);
                    o.TokenValidationParameters.IssuerSigningKey = keys.Signing;
                }

                o.Events = new JwtBearerEvents { OnTokenValidated = context => ToPlatformPrincipalAsync(context, external, auth) };
            });

        if (!external)
        {
            authentication.AddCookie(LoginCookieScheme, o =>
            {
                o.Cookie.Name = "skillvl.login";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.LoginPath = EmbeddedIssuer.LoginPath;
            });
            builder.AddEmbeddedIssuer(settings);
        }

        builder.Services.AddAuthorization(o => o.AddPolicy(PlatformPolicy, p => p
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new PlatformAccessRequirement())));
    }

    private static async Task ToPlatformPrincipalAsync(TokenValidatedContext context, bool external, AuthOptions auth)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<UserDirectory>();
        if (context.SecurityToken is not JsonWebToken jwt)
        {
            context.Fail("unexpected token");
            return;
        }

        var ct = context.HttpContext.RequestAborted;
        if (!external)
        {
            // Embedded tokens name the user by id; the role is the user's current one, not the one at login.
            var user = await users.FindByIdAsync(jwt.Subject, ct);
            if (user is null)
            {
                context.Fail("unknown user");
                return;
            }

            context.Principal = CurrentUser.Principal(user.Id, user.Username, user.Role, "oidc", ApiTokenScopes.All, OidcScheme);
            return;
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload));
        var mapping = context.HttpContext.RequestServices.GetRequiredService<RoleMapperFactory>().Create().Map(payload.RootElement);
        var username = RoleMapper.ValuesAt(payload.RootElement, auth.External.UsernameClaim).FirstOrDefault() ?? jwt.Subject;
        var resolved = await users.ResolveExternalAsync(jwt.Issuer, jwt.Subject, username, mapping.Role, ct);
        var principal = CurrentUser.Principal(resolved.Id, resolved.Username, mapping.Role, "oidc", ApiTokenScopes.All, OidcScheme);
        if (mapping.Role is null)
        {
            ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(
                new System.Security.Claims.Claim(SkillVlClaims.UnmappedRoles, string.Join(", ", mapping.Seen)));
        }

        context.Principal = principal;
    }

    /// <summary>The platform user of the request; only for endpoints behind the platform policy.</summary>
    public static CurrentUser Caller(this HttpContext context) =>
        CurrentUser.From(context.User) ?? throw new InvalidOperationException("No platform user on an authorized request.");

    /// <summary>Used by the unauthenticated /auth/config route.</summary>
    public static AuthConfig Describe(SkillVlServerOptions settings)
    {
        var external = string.Equals(settings.Auth.Mode, AuthOptions.ExternalMode, StringComparison.OrdinalIgnoreCase);
        var issuer = external ? settings.Auth.External.Authority ?? "" : IssuerUrl(settings);
        return new AuthConfig(
            external ? AuthOptions.ExternalMode : AuthOptions.Embedded,
            issuer,
            settings.Auth.Audience,
            settings.Auth.WebClientId,
            settings.Auth.CliClientId,
            external ? ["openid", "profile", "offline_access"] : ["openid", "profile", "offline_access", EmbeddedIssuer.ApiScope]);
    }
}
