using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace SkillVL.Server.Identity;

/// <summary>
/// Single-use tickets for what a browser opens by URL and cannot send an Authorization header to (the consoles'
/// WebSockets, the event stream's EventSource): 256 random bits, valid for 30 s, usable once, each bound to the grant
/// it was issued for. Kept in memory: a Server restart voids them, which costs a user one click. A URL that holds one
/// is worthless by the time anyone reads it in a log (issue 11, finding 2).
/// </summary>
public abstract class SingleUseTickets<TGrant>(TimeProvider time)
    where TGrant : class
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (TGrant Grant, DateTimeOffset ExpiresAt)> _open = new(StringComparer.Ordinal);

    /// <summary>The grant, once: a second use, an unknown or an expired ticket gives null.</summary>
    public TGrant? Redeem(string? ticket)
    {
        if (string.IsNullOrEmpty(ticket) || !_open.TryRemove(ticket, out var open))
        {
            return null;
        }

        return open.ExpiresAt > time.GetUtcNow() ? open.Grant : null;
    }

    /// <summary>A new ticket for the grant <paramref name="grantUntil"/> makes for the ticket's expiry.</summary>
    protected (string Ticket, DateTimeOffset ExpiresAt) IssueFor(Func<DateTimeOffset, TGrant> grantUntil)
    {
        Sweep();
        var ticket = ApiTokenService.Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = time.GetUtcNow() + Lifetime;
        _open[ticket] = (grantUntil(expires), expires);
        return (ticket, expires);
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (key, open) in _open)
        {
            if (open.ExpiresAt <= now)
            {
                _open.TryRemove(key, out _);
            }
        }
    }
}
