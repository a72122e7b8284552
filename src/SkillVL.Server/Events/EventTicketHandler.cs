using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Events;

/// <summary>
/// Authenticates GET /api/v1/events?ticket=… (and nothing else): redeems the single-use ticket and authenticates the
/// credential it was issued on afresh, so the stream starts as the user that credential is now. The credential is
/// left in <see cref="CredentialItem"/> for the stream's later re-checks.
/// </summary>
public sealed class EventTicketHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    EventTickets tickets) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "event-ticket";
    public const string CredentialItem = "skillvl.events.credential";

    /// <summary>A request this scheme answers for: the event stream with a ticket and no Authorization header.</summary>
    public static bool Applies(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Path.Equals(Core.Api.ApiPaths.Prefix + Apis.EventsApi.Path, StringComparison.Ordinal)
        && request.Query.ContainsKey("ticket");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Applies(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var grant = tickets.Redeem(Request.Query["ticket"]);
        var user = grant is null ? null : await CredentialCheck.AuthenticateAsync(Context.RequestServices, grant.Credential, Context.RequestAborted);
        if (grant is null || user is null || user.Id != grant.UserId)
        {
            return AuthenticateResult.Fail("invalid ticket");
        }

        Context.Items[CredentialItem] = grant.Credential;
        var principal = CurrentUser.Principal(user.Id, user.Username, user.Role, user.AuthenticatedBy, user.Scopes, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
