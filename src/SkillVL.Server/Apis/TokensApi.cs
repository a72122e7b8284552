using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Apis;

/// <summary>
/// The caller's personal API tokens. A token never outlives or out-scopes the credential that made it (ADR 0015):
/// one made with an API token gets at most its scopes and expiry and is revoked with it; every token ends within
/// the platform's maximum lifetime.
/// </summary>
public static class TokensApi
{
    public static RouteGroupBuilder MapTokensApi(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("API tokens");
        tokens.MapGet("/", async (HttpContext http, SkillVlDbContext db, CancellationToken ct) =>
        {
            var id = http.Caller().Id;
            var rows = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == id).OrderBy(t => t.CreatedAt).ToListAsync(ct);
            return TypedResults.Ok(rows.Select(ApiTokenService.ToInfo).ToList());
        }).WithSummary("List your personal API tokens");
        tokens.MapPost("/", CreateTokenAsync)
            .Produces<CreatedApiToken>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Create a personal API token; its secret is shown only in this answer");
        tokens.MapDelete("/{token}", async (string token, HttpContext http, ApiTokenService service, CancellationToken ct) =>
            await service.RevokeAsync(http.Caller().Id, token, anyUser: false, ct) ? Results.NoContent() : ApiResults.NotFound($"API token '{token}'"))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Revoke one of your API tokens and every token made with it (takes effect at once)");
        return api;
    }

    private static async Task<IResult> CreateTokenAsync(
        CreateApiTokenRequest request, HttpContext http, ApiTokenService tokens, IOptions<SkillVlServerOptions> settings, TimeProvider time, CancellationToken ct)
    {
        var caller = http.Caller();
        // The API token making this request, if one does: the new token's parent and its bound.
        var parent = http.User.FindFirst(SkillVlClaims.TokenId)?.Value is { } parentId ? await tokens.FindAsync(parentId, ct) : null;
        if (caller.AuthenticatedBy == "api-token" && parent is null)
        {
            // Revoked between authentication and now.
            return Results.Unauthorized();
        }

        var errors = new List<Core.Rooms.ValidationError>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 64)
        {
            errors.Add(new("name", "must be 1-64 characters."));
        }

        var scopes = request.Scopes ?? (parent is null ? ApiTokenScopes.All : caller.Scopes);
        if (scopes.Count == 0 || scopes.Any(s => !ApiTokenService.IsKnownScope(s)))
        {
            errors.Add(new("scopes", $"must be one or more of {string.Join(", ", ApiTokenScopes.All)}."));
        }
        else if (scopes.Except(caller.Scopes).Any())
        {
            errors.Add(new("scopes", $"must be among the scopes of the API token you are using ({string.Join(", ", caller.Scopes)}): a token cannot make a wider one."));
        }

        var (expiresAt, lifetimeError) = ApiTokenLifetime.Decide(time.GetUtcNow(), request.ExpiresInDays, settings.Value.Auth.MaxApiTokenLifetime, parent?.ExpiresAt);
        if (lifetimeError is not null)
        {
            errors.Add(new("expiresInDays", lifetimeError));
        }

        if (errors.Count > 0)
        {
            return ApiResults.Invalid(errors, "The API token request is not valid.");
        }

        var (entity, secret) = await tokens.CreateAsync(caller.Id, request.Name!.Trim(), scopes.Distinct().ToList(), expiresAt, parent?.Id, ct);
        if (parent is not null && await tokens.FindAsync(parent.Id, ct) is null)
        {
            // The parent was revoked while this was made: the new token goes with it.
            await tokens.RevokeOrphansAsync(caller.Id, ct);
            return Results.Unauthorized();
        }

        return Results.Created(ApiPaths.Token(entity.Id), new CreatedApiToken(ApiTokenService.ToInfo(entity), secret));
    }
}
