using System.Collections.Concurrent;
using System.Net;

namespace SkillVL.Server.Consoles;

/// <summary>
/// The SPICE consoles open now, by the ticket that opened them (ADR 0056): a SPICE client opens every channel at the URL
/// of the first, so a redeemed SPICE ticket stays the key of its session until the session's last channel closes. Per
/// process, like <see cref="ConsoleTickets"/>.
/// </summary>
public sealed class SpiceSessions(ConsoleSessions sessions)
{
    private readonly ConcurrentDictionary<string, SpiceSession> _open = new(StringComparer.Ordinal);

    public int Count => _open.Count;

    /// <summary>Opens the session of a just-redeemed ticket with its first channel connection admitted.</summary>
    public SpiceSession Open(string ticket, ConsoleGrant grant, IPAddress? address)
    {
        // Not tied to one request: the session outlives its first connection while other channels are open.
        var spice = new SpiceSession(this, ticket, grant, address, sessions.Open(grant, CancellationToken.None));
        _open[ticket] = spice;
        return spice;
    }

    /// <summary>The open session of <paramref name="ticket"/> with one more channel admitted, or null (unknown ticket,
    /// session over or ended, another address, or no channel left).</summary>
    public SpiceSession? Join(string? ticket, IPAddress? address) =>
        !string.IsNullOrEmpty(ticket) && _open.TryGetValue(ticket, out var spice) && spice.TryJoin(address) ? spice : null;

    internal void Remove(SpiceSession spice) => _open.TryRemove(new(spice.Ticket, spice));
}
