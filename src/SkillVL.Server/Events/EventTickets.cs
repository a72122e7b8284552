using System.Collections.Concurrent;
using System.Security.Cryptography;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Events;

/// <summary>
/// Tickets for the event stream (issue 11 finding 2). EventSource cannot send an Authorization header; the access
/// token used to ride in the URL (?access_token=), and URLs end up in logs, proxies and browser history. Like the
/// consoles, the browser now asks for a ticket with its bearer token (POST /api/v1/events/tickets) and opens
/// /api/v1/events?ticket=…: 256 random bits, 30 s, usable once, so a URL in any log is worthless by the time anyone
/// reads it. A ticket rather than a cookie: no ambient credential that every request to the API would carry
/// (nothing to forge cross-site, nothing to keep in step with the token's lifetime), the same shape as the consoles'.
/// The grant keeps the bearer credential it was issued on, in memory only, so the stream re-checks that the
/// credential still holds (expired, revoked, user deleted → the stream ends) exactly as a request would.
/// </summary>
public sealed class EventTickets(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, EventGrant> _open = new(StringComparer.Ordinal);

    public (string Ticket, DateTimeOffset ExpiresAt) Issue(string userId, string credential)
    {
        Sweep();
        var ticket = ApiTokenService.Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = time.GetUtcNow() + Lifetime;
        _open[ticket] = new EventGrant(userId, credential, expires);
        return (ticket, expires);
    }

    /// <summary>The grant, once: a second use, an unknown or an expired ticket gives null.</summary>
    public EventGrant? Redeem(string? ticket)
    {
        if (string.IsNullOrEmpty(ticket) || !_open.TryRemove(ticket, out var grant))
        {
            return null;
        }

        return grant.ExpiresAt > time.GetUtcNow() ? grant : null;
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (key, grant) in _open)
        {
            if (grant.ExpiresAt <= now)
            {
                _open.TryRemove(key, out _);
            }
        }
    }
}
