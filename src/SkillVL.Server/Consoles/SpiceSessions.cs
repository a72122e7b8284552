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

    private readonly Lock _opening = new();

    /// <summary>
    /// Opens the session of a just-redeemed ticket with its first channel connection admitted, or returns null and the
    /// open session that holds the machine: QEMU's SPICE server serves one client at a time — a second client's main
    /// channel disconnects the first — so a second SPICE console on a machine (a watcher's too) would throw its user out.
    /// </summary>
    public SpiceSession? TryOpen(string ticket, ConsoleGrant grant, IPAddress? address, out SpiceSession? holder)
    {
        lock (_opening)
        {
            holder = HolderOf(grant.VmId);
            if (holder is not null)
            {
                return null;
            }

            // Not tied to one request: the session outlives its first connection while other channels are open.
            var spice = new SpiceSession(this, ticket, grant, address, sessions.Open(grant, CancellationToken.None));
            _open[ticket] = spice;
            return spice;
        }
    }

    /// <summary>Whether the session <paramref name="ticket"/> opened is still open (a .vv file's listener lives as long).</summary>
    public bool IsOpen(string ticket) => _open.ContainsKey(ticket);

    /// <summary>The open SPICE session on the machine, or null.</summary>
    public SpiceSession? HolderOf(string machineId) =>
        _open.Values.FirstOrDefault(s => s.Grant.VmId == machineId && s.Session.EndReason is null);

    /// <summary>Why a SPICE console cannot open on the machine now, in words, or null.</summary>
    public string? BusyReason(string machineId, string machine) =>
        HolderOf(machineId) is { } holder
            ? $"{holder.Grant.Username} has the SPICE console of {machine} open, and QEMU's SPICE server shows one client at a time (a second one would disconnect the first); use the VNC console, which is shared, or try again when it is closed."
            : null;

    /// <summary>The open session of <paramref name="ticket"/> with one more channel admitted, or null (unknown ticket,
    /// session over or ended, another address, or no channel left).</summary>
    public SpiceSession? Join(string? ticket, IPAddress? address) =>
        !string.IsNullOrEmpty(ticket) && _open.TryGetValue(ticket, out var spice) && spice.TryJoin(address) ? spice : null;

    internal void Remove(SpiceSession spice) => _open.TryRemove(new(spice.Ticket, spice));
}
