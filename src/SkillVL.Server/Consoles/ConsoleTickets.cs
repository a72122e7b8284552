using System.Collections.Concurrent;
using System.Security.Cryptography;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Consoles;

/// <summary>
/// Console tickets: 256 random bits, valid for 30 s, usable once, bound to the user and the machine they were
/// issued for. Kept in memory: a Server restart voids them, which costs a user one click.
/// </summary>
public sealed class ConsoleTickets(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, ConsoleGrant> _open = new(StringComparer.Ordinal);

    public (string Ticket, DateTimeOffset ExpiresAt) Issue(ConsoleGrant grant)
    {
        Sweep();
        var ticket = ApiTokenService.Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = time.GetUtcNow() + Lifetime;
        _open[ticket] = grant with { ExpiresAt = expires };
        return (ticket, expires);
    }

    /// <summary>The grant, once: a second use, an unknown or an expired ticket gives null.</summary>
    public ConsoleGrant? Redeem(string? ticket)
    {
        if (ticket is null || !_open.TryRemove(ticket, out var grant))
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
