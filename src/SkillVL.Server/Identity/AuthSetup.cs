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
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        // Never from the query string: URLs are logged (issue 11). EventSource gets a ticket instead (Events/EventTickets).
        return null;
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
        builder.Services.AddSingleton<UserSessions>();
        builder.Services.AddSingleton<UserAccounts>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<PasswordCheck>();
        builder.Services.AddOptions<SkillVlServerOptions>()
            .Validate(o => o.Auth.LoginThrottle.Invalid() is null, "SkillVL:Auth:LoginThrottle is not valid: free failure counts 1 or more, 0 < BaseDelay <= MaxDelay < ForgetAfter")
            .Validate(o => o.Auth.MaxApiTokenLifetime > TimeSpan.Zero, "SkillVL:Auth:MaxApiTokenLifetime must be positive");
        builder.Services.AddSingleton<Events.EventTickets>();
        builder.Services.AddSingleton<RoleMapperFactory>();
        builder.Services.AddSingleton<SigningKeyRefresher>();
        builder.Services.AddSingleton<IAuthorizationHandler, PlatformAccessHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        var authentication = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API token, OIDC or event stream ticket", o => o.ForwardDefaultSelector = context =>
                BearerToken(context.Request) is { } token
                    ? token.StartsWith(ApiTokenService.Prefix, StringComparison.Ordinal) ? ApiTokenHandler.SchemeName : OidcScheme
                    : Events.EventTicketHandler.Applies(context.Request) ? Events.EventTicketHandler.SchemeName : OidcScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, Events.EventTicketHandler>(Events.EventTicketHandler.SchemeName, null)
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

                o.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        context.Token = BearerToken(context.Request);
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = async context =>
                    {
                        var (principal, failure) = await ToPlatformPrincipalAsync(context.HttpContext, context.SecurityToken as JsonWebToken, external, auth);
                        if (principal is null)
                        {
                            if (failure == AccountDisabledException.Detail)
                            {
                                context.Fail(new AccountDisabledException());
                            }
                            else
                            {
                                context.Fail(failure!);
                            }
                        }
                        else
                        {
                            context.Principal = principal;
                        }
                    },
                    OnAuthenticationFailed = async context =>
                    {
                        // A key the cached JWKS lacks (the issuer rotated): fetch the keys now and try once more.
                        if (!external || context.Exception is not SecurityTokenSignatureKeyNotFoundException || BearerToken(context.Request) is not { } token)
                        {
                            return;
                        }

                        var refresher = context.HttpContext.RequestServices.GetRequiredService<SigningKeyRefresher>();
                        var jwt = await refresher.RevalidateAsync(context.Options, token, auth.KeyRefreshInterval, context.HttpContext.RequestAborted);
                        var (principal, _) = jwt is null ? (null, null) : await ToPlatformPrincipalAsync(context.HttpContext, jwt, external, auth);
                        if (principal is not null)
                        {
                            context.Principal = principal;
                            context.Success();
                        }
                    },
                };
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
                // A cookie from before a password change is dropped on its next use (ADR 0015).
                o.Events.OnValidatePrincipal = async context =>
                {
                    var users = context.HttpContext.RequestServices.GetRequiredService<UserDirectory>();
                    if (!await UserSessions.IsCurrentAsync(users, context.Principal, context.HttpContext.RequestAborted))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(LoginCookieScheme);
                    }
                };
            });
            builder.AddEmbeddedIssuer(settings);
        }

        builder.Services.AddAuthorization(o => o.AddPolicy(PlatformPolicy, p => p
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new PlatformAccessRequirement())));
    }

    /// <summary>The platform principal for a validated token, or why there is none.</summary>
    private static async Task<(System.Security.Claims.ClaimsPrincipal? Principal, string? Failure)> ToPlatformPrincipalAsync(
        HttpContext http, JsonWebToken? jwt, bool external, AuthOptions auth)
    {
        var users = http.RequestServices.GetRequiredService<UserDirectory>();
        if (jwt is null)
        {
            return (null, "unexpected token");
        }

        var ct = http.RequestAborted;
        if (!external)
        {
            // Embedded tokens name the user by id; the role is the user's current one, not the one at login. A token
            // from before a password change carries an old credential generation (ADR 0015).
            var user = await users.FindByIdAsync(jwt.Subject, ct);
            var generation = jwt.TryGetPayloadValue<string>(SkillVlClaims.CredentialGeneration, out var g) ? g : null;
            return user is null
                ? (null, "unknown user")
                : user.DisabledAt is not null
                    ? (null, AccountDisabledException.Detail)
                : !UserSessions.IsCurrent(user, generation)
                    ? (null, "credentials changed")
                    : (CurrentUser.Principal(user.Id, user.Username, user.Role, "oidc", ApiTokenScopes.All, OidcScheme), null);
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload));
        var mapping = http.RequestServices.GetRequiredService<RoleMapperFactory>().Create().Map(payload.RootElement);
        var username = RoleMapper.ValuesAt(payload.RootElement, auth.External.UsernameClaim).FirstOrDefault() ?? jwt.Subject;
        var resolved = await users.ResolveExternalAsync(jwt.Issuer, jwt.Subject, username, mapping.Role, ct);
        if (resolved.DisabledAt is not null)
        {
            // The IdP still vouches for the person, but an admin disabled their SkillVL account (ADR 0043).
            return (null, AccountDisabledException.Detail);
        }

        var principal = CurrentUser.Principal(resolved.Id, resolved.Username, mapping.Role, "oidc", ApiTokenScopes.All, OidcScheme);
        if (mapping.Role is null)
        {
            ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(
                new System.Security.Claims.Claim(SkillVlClaims.UnmappedRoles, string.Join(", ", mapping.Seen)));
        }

        return (principal, null);
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
