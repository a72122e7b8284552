using SkillVL.Server.Identity;

namespace SkillVL.Server.Events;

/// <summary>
/// Tickets for the event stream (issue 11 finding 2, <see cref="SingleUseTickets{TGrant}"/>). EventSource cannot send an
/// Authorization header; the access token used to ride in the URL (?access_token=), and URLs end up in logs, proxies and
/// browser history. Like the consoles, the browser now asks for a ticket with its bearer token (POST
/// /api/v1/events/tickets) and opens /api/v1/events?ticket=…. A ticket rather than a cookie: no ambient credential that
/// every request to the API would carry (nothing to forge cross-site, nothing to keep in step with the token's
/// lifetime), the same shape as the consoles'. The grant keeps the bearer credential it was issued on, in memory only,
/// so the stream re-checks that the credential still holds (expired, revoked, user deleted → the stream ends) exactly
/// as a request would.
/// </summary>
public sealed class EventTickets(TimeProvider time) : SingleUseTickets<EventGrant>(time)
{
    public (string Ticket, DateTimeOffset ExpiresAt) Issue(string userId, string credential) =>
        IssueFor(expires => new EventGrant(userId, credential, expires));
}
