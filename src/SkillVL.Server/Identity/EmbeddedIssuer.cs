using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SkillVL.Server.Identity;

/// <summary>
/// The embedded OIDC issuer (OpenIddict) with local accounts: authorization code + PKCE for the web UI, the device
/// authorization grant for the CLI, refresh tokens; a plain server-rendered login page. Access tokens are signed
/// JWTs (not encrypted) with aud = the configured audience, so the API validates them like any external issuer's.
/// </summary>
public static class EmbeddedIssuer
{
    public const string LoginPath = "/login";
    public const string ApiScope = "skillvl";
    private const string AuthorizePath = "/connect/authorize";
    private const string TokenPath = "/connect/token";
    private const string DevicePath = "/connect/device";
    private const string VerifyPath = "/connect/verify";

    public static void AddEmbeddedIssuer(this WebApplicationBuilder builder, SkillVlServerOptions settings)
    {
        var keys = IssuerKeys.LoadOrCreate(settings.DataDirectory);
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "skillvl.af");
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<SkillVlDbContext>())
            .AddServer(o =>
            {
                o.SetIssuer(new Uri(AuthSetup.IssuerUrl(settings)));
                o.SetAuthorizationEndpointUris(AuthorizePath[1..])
                    .SetTokenEndpointUris(TokenPath[1..])
                    .SetDeviceAuthorizationEndpointUris(DevicePath[1..])
                    .SetEndUserVerificationEndpointUris(VerifyPath[1..]);
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                // AllowAuthorizationCodeFlow offers "plain" too, which hands the verifier to whoever sees the
                // authorization request; only S256 (RFC 9700 §2.1.1, issue 11 finding 12).
                o.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                o.AllowDeviceAuthorizationFlow();
                o.AllowRefreshTokenFlow();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.OfflineAccess, ApiScope);
                o.AddSigningKey(keys.Signing);
                o.AddEncryptionKey(keys.Encryption);
                o.DisableAccessTokenEncryption();
                o.SetAccessTokenLifetime(settings.Auth.AccessTokenLifetime);
                o.SetRefreshTokenLifetime(settings.Auth.RefreshTokenLifetime);
                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough()
                    // The default listens on loopback over HTTP; behind TLS (reverse proxy) the issuer URL says https.
                    .DisableTransportSecurityRequirement();
            });
    }

    /// <summary>Registers (or updates) the web and CLI clients. Runs at start, after the schema exists.</summary>
    public static async Task SeedClientsAsync(IServiceProvider services, SkillVlServerOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var redirects = settings.Auth.WebRedirectUris.Count > 0
            ? settings.Auth.WebRedirectUris
            : [AuthSetup.IssuerUrl(settings) + "oidc/callback"];

        var web = new OpenIddictApplicationDescriptor
        {
            ClientId = settings.Auth.WebClientId,
            ClientType = ClientTypes.Public,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "SkillVL web UI",
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code, Permissions.Scopes.Profile, Permissions.Prefixes.Scope + ApiScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in redirects)
        {
            web.RedirectUris.Add(new Uri(uri));
        }

        var cli = new OpenIddictApplicationDescriptor
        {
            ClientId = settings.Auth.CliClientId,
            ClientType = ClientTypes.Public,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "SkillVL CLI",
            Permissions =
            {
                Permissions.Endpoints.DeviceAuthorization, Permissions.Endpoints.Token,
                Permissions.GrantTypes.DeviceCode, Permissions.GrantTypes.RefreshToken,
                Permissions.Scopes.Profile, Permissions.Prefixes.Scope + ApiScope,
            },
        };

        foreach (var descriptor in new[] { web, cli })
        {
            var existing = await manager.FindByClientIdAsync(descriptor.ClientId!, cancellationToken);
            if (existing is null)
            {
                await manager.CreateAsync(descriptor, cancellationToken);
            }
            else
            {
                await manager.UpdateAsync(existing, descriptor, cancellationToken);
            }
        }
    }

    public static void MapEmbeddedIssuer(this WebApplication app)
    {
        var issuer = app.MapGroup("").ExcludeFromDescription();
        issuer.MapMethods(AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync);
        issuer.MapPost(TokenPath, TokenAsync);
        issuer.MapMethods(VerifyPath, [HttpMethods.Get, HttpMethods.Post], VerifyAsync);
        issuer.MapGet(LoginPath, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            Page(context, antiforgery, "Sign in to SkillVL", LoginForm(returnUrl, null, null)));
        issuer.MapPost(LoginPath, LoginAsync);
        issuer.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(AuthSetup.LoginCookieScheme);
            return Results.Redirect(LoginPath);
        });
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, UserDirectory users, IOptions<SkillVlServerOptions> settings)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OIDC request.");
        var user = await LoggedInUserAsync(context, users);
        if (user is null)
        {
            var query = context.Request.HasFormContentType
                ? QueryString.Create((await context.Request.ReadFormAsync()).Select(kv => KeyValuePair.Create(kv.Key, kv.Value)))
                : context.Request.QueryString;
            return Results.Redirect($"{LoginPath}?returnUrl={Uri.EscapeDataString(AuthorizePath + query)}");
        }

        return Results.SignIn(
            UserPrincipal(user, request.GetScopes(), settings.Value.Auth.Audience),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(HttpContext context, UserDirectory users, AuditService audit, IOptions<SkillVlServerOptions> settings)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OIDC request.");
        if (!request.IsAuthorizationCodeGrantType() && !request.IsDeviceCodeGrantType() && !request.IsRefreshTokenGrantType())
        {
            return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
        }

        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var subject = result.Principal?.GetClaim(Claims.Subject);
        var user = subject is null ? null : await users.FindByIdAsync(subject, context.RequestAborted);
        if (user is null)
        {
            return Refuse(Errors.InvalidGrant, "The user of this grant no longer exists.");
        }

        if (user.DisabledAt is not null)
        {
            return Refuse(Errors.InvalidGrant, "The account is disabled; ask an admin to enable it.");
        }

        // A code or refresh token from before a password change (ADR 0015); the change also revoked it in the
        // store, this holds even for one the store missed.
        if (!UserSessions.IsCurrent(user, result.Principal!.GetClaim(SkillVlClaims.CredentialGeneration)))
        {
            return Refuse(Errors.InvalidGrant, "The password changed since this grant was given; log in again.");
        }

        await audit.RecordAsync(context, user, "login", $"client={request.ClientId} grant={request.GrantType}", "ok", null);
        return Results.SignIn(
            UserPrincipal(user, result.Principal!.GetScopes(), settings.Value.Auth.Audience),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Device flow: the user opens the verification URL, signs in, and approves the code the CLI shows.</summary>
    private static async Task<IResult> VerifyAsync(HttpContext context, UserDirectory users, PasswordCheck passwords, IAntiforgery antiforgery, IOptions<SkillVlServerOptions> settings)
    {
        var request = context.GetOpenIddictServerRequest();
        var userCode = request?.UserCode;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            return Page(context, antiforgery, "Approve a device sign-in", VerifyForm(userCode, await LoggedInUserAsync(context, users), null));
        }

        if (!await ValidAntiforgeryAsync(context, antiforgery))
        {
            return Results.BadRequest("The form expired; reload the page.");
        }

        var form = await context.Request.ReadFormAsync();
        var user = await LoggedInUserAsync(context, users);
        if (user is null)
        {
            var check = await passwords.CheckAsync(context, form["username"].ToString(), form["password"].ToString(), "device", context.RequestAborted);
            if (check.User is null)
            {
                return Refused(context, check, Page(context, antiforgery, "Approve a device sign-in", VerifyForm(userCode, null, RefusalText(check)), RefusalStatus(check)));
            }

            user = check.User;
            await SignInCookieAsync(context, user);
        }

        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is null)
        {
            return Page(context, antiforgery, "Approve a device sign-in", VerifyForm(null, user, "That code is unknown or has expired. Start the login again."), StatusCodes.Status400BadRequest);
        }

        return Results.SignIn(
            UserPrincipal(user, result.Principal.GetScopes(), settings.Value.Auth.Audience),
            new AuthenticationProperties { RedirectUri = "/" },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, PasswordCheck passwords, IAntiforgery antiforgery)
    {
        if (!await ValidAntiforgeryAsync(context, antiforgery))
        {
            return Results.BadRequest("The form expired; reload the page.");
        }

        var form = await context.Request.ReadFormAsync();
        var username = form["username"].ToString();
        var returnUrl = form["returnUrl"].ToString();
        var check = await passwords.CheckAsync(context, username, form["password"].ToString(), "login", context.RequestAborted);
        if (check.User is not { } user)
        {
            return Refused(context, check, Page(context, antiforgery, "Sign in to SkillVL", LoginForm(returnUrl, username, RefusalText(check)), RefusalStatus(check)));
        }

        await SignInCookieAsync(context, user);
        // Only back into the issuer: an open redirect would hand codes to anyone.
        return Results.Redirect(returnUrl.StartsWith("/connect/", StringComparison.Ordinal) ? returnUrl : "/");
    }

    private static async Task<UserEntity?> LoggedInUserAsync(HttpContext context, UserDirectory users)
    {
        var login = await context.AuthenticateAsync(AuthSetup.LoginCookieScheme);
        var id = login.Principal?.FindFirstValue(SkillVlClaims.UserId);
        return id is null ? null : await users.FindByIdAsync(id, context.RequestAborted);
    }

    /// <summary>A wrong password answers 401; a throttled attempt 429 with Retry-After (RFC 6585 §4).</summary>
    private static IResult Refused(HttpContext context, PasswordCheckResult check, IResult page)
    {
        if (check.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return page;
    }

    private static string RefusalText(PasswordCheckResult check) =>
        check.RetryAfter is { } wait ? $"Too many wrong passwords. Try again in {(int)wait.TotalSeconds} seconds."
        : check.Disabled ? "This account is disabled. Ask an admin to enable it."
        : "Wrong username or password.";

    private static int RefusalStatus(PasswordCheckResult check) =>
        check.RetryAfter is not null ? StatusCodes.Status429TooManyRequests
        : check.Disabled ? StatusCodes.Status403Forbidden
        : StatusCodes.Status401Unauthorized;

    private static Task SignInCookieAsync(HttpContext context, UserEntity user) =>
        context.SignInAsync(
            AuthSetup.LoginCookieScheme,
            new ClaimsPrincipal(new ClaimsIdentity(
                [
                    new Claim(SkillVlClaims.UserId, user.Id),
                    new Claim(ClaimTypes.Name, user.Username),
                    new Claim(SkillVlClaims.CredentialGeneration, UserSessions.GenerationClaim(user)),
                ],
                CookieAuthenticationDefaults.AuthenticationScheme)));

    private static ClaimsPrincipal UserPrincipal(UserEntity user, ImmutableArray<string> scopes, string audience)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.Username)
            .SetClaim(Claims.PreferredUsername, user.Username)
            .SetClaim(SkillVlClaims.EmbeddedRoleClaim, user.Role)
            .SetClaim(SkillVlClaims.CredentialGeneration, UserSessions.GenerationClaim(user));
        identity.SetScopes(scopes);
        identity.SetResources(audience);
        // Codes and refresh tokens keep every claim; of the generation, the access token needs it and the ID token not.
        identity.SetDestinations(claim => claim.Type == SkillVlClaims.CredentialGeneration
            ? [Destinations.AccessToken]
            : [Destinations.AccessToken, Destinations.IdentityToken]);
        return new ClaimsPrincipal(identity);
    }

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static async Task<bool> ValidAntiforgeryAsync(HttpContext context, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static string LoginForm(string? returnUrl, string? username, string? error) =>
        Error(error)
        + $"""<form method="post" action="{LoginPath}"><input type="hidden" name="returnUrl" value="{H(returnUrl)}">"""
        + Credentials(username)
        + """<button type="submit">Sign in</button></form>""";

    private static string VerifyForm(string? userCode, UserEntity? user, string? error) =>
        Error(error)
        + $"""<form method="post" action="{VerifyPath}"><label>Code shown by the CLI <input name="user_code" value="{H(userCode)}" autocomplete="off"></label>"""
        + (user is null ? Credentials(null) : $"<p>Signed in as <b>{H(user.Username)}</b>.</p>")
        + """<button type="submit">Approve</button></form>""";

    private static string Credentials(string? username) =>
        $"""<label>Username <input name="username" value="{H(username)}" autocomplete="username"></label><label>Password <input name="password" type="password" autocomplete="current-password"></label>""";

    private static string Error(string? error) => error is null ? "" : $"""<p class="error" role="alert">{H(error)}</p>""";

    private static string H(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string title, string body, int status = StatusCodes.Status200OK)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        // The antiforgery field goes into every form on the page.
        body = body.Replace("</form>", $"""<input type="hidden" name="{H(tokens.FormFieldName)}" value="{H(tokens.RequestToken)}"></form>""", StringComparison.Ordinal);
        var html = $$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{H(title)}}</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font:16px system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.75rem 0}
            input{display:block;width:100%;padding:.4rem;font:inherit}button{margin-top:1rem;padding:.5rem 1rem;font:inherit}.error{color:#b00020}</style>
            </head><body><h1>{{H(title)}}</h1>{{body}}</body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
