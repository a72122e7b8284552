using Microsoft.AspNetCore.Authentication;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Events;

/// <summary>
/// Authenticates a bearer credential afresh, as a new request carrying it would be: in its own service scope, so
/// nothing a request cached (ASP.NET keeps one authentication result per request) hides an expiry or a revocation.
/// </summary>
public static class CredentialCheck
{
    /// <summary>The platform user the credential stands for now, or null.</summary>
    public static async Task<CurrentUser?> AuthenticateAsync(IServiceProvider services, string credential, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = cancellationToken };
        context.Request.Headers.Authorization = "Bearer " + credential;
        var result = await context.AuthenticateAsync(AuthSetup.Scheme);
        return result.Succeeded ? CurrentUser.From(result.Principal!) : null;
    }
}
