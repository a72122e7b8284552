using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace SkillVL.Server.Identity;

/// <summary>
/// Answers a refused authorization with ProblemDetails naming the reason. 401s stay without detail (expired, revoked,
/// wrong key look alike), except a disabled account's: its owner should learn why, and only a valid credential of
/// that account gets this far (ADR 0043).
/// </summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure is { } failure)
        {
            var reason = failure.FailureReasons.FirstOrDefault()?.Message ?? "Your role does not allow this.";
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: reason).ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
        // The policy's own result keeps no failure (NoResult when no scheme succeeded); asking the scheme again returns
        // the result its handler kept for this request, failure included, without authenticating twice.
        if (authorizeResult.Challenged && !context.Response.HasStarted
            && (await context.AuthenticateAsync(AuthSetup.Scheme)).Failure is AccountDisabledException)
        {
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Account disabled", detail: AccountDisabledException.Detail).ExecuteAsync(context);
        }
    }
}
