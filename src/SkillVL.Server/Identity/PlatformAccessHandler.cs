using Microsoft.AspNetCore.Authorization;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Server.Identity;

public sealed class PlatformAccessHandler(IHttpContextAccessor accessor, RoleMapperFactory mappers) : AuthorizationHandler<PlatformAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PlatformAccessRequirement requirement)
    {
        var user = CurrentUser.From(context.User);
        if (user is null)
        {
            var seen = context.User.FindFirst(SkillVlClaims.UnmappedRoles)?.Value ?? "";
            context.Fail(new AuthorizationFailureReason(this, mappers.MissingRoleMessage(seen)));
            return Task.CompletedTask;
        }

        var method = accessor.HttpContext?.Request.Method ?? HttpMethods.Get;
        var reading = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        if (!reading && !user.Scopes.Contains(ApiTokenScopes.Write, StringComparer.Ordinal))
        {
            context.Fail(new AuthorizationFailureReason(this, "This API token has only the 'read' scope; this request needs 'write'."));
            return Task.CompletedTask;
        }

        context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
