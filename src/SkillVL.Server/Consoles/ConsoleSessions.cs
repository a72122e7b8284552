using System.Collections.Concurrent;

namespace SkillVL.Server.Consoles;

/// <summary>
/// The browser consoles open now (ADR 0046). A console is checked when its WebSocket opens; what happens to its user or
/// machine afterwards is told here, and ends the sessions it concerns: a disabled, deleted or re-roled user's, a
/// deleted machine's. The relay then closes the browser's WebSocket with a policy-violation status and the reason.
/// Per process, like the ticket store: a session lives in the process whose gateway relays it.
/// </summary>
public sealed class ConsoleSessions(ILogger<ConsoleSessions> logger, TimeProvider time)
{
    public const string AccountDisabled = "account disabled";
    public const string AccountDeleted = "account deleted";
    public const string RoleChanged = "role changed";
    public const string MachineDeleted = "machine deleted";

    /// <summary>The machine was reset, upgraded or given a new template: a new machine of the same name replaces it.</summary>
    public const string MachineRebuilt = "machine rebuilt";

    private readonly ConcurrentDictionary<ConsoleSession, byte> _open = new();

    public int Count => _open.Count;

    /// <summary>Registers a session; dispose it when its relay is over.</summary>
    public ConsoleSession Open(ConsoleGrant grant, CancellationToken requestAborted)
    {
        var session = new ConsoleSession(this, grant, time.GetUtcNow(), requestAborted);
        _open[session] = 0;
        return session;
    }

    /// <summary>Whether anyone has a console open on the machine now (idle shutdown, ADR 0061).</summary>
    public bool IsOpenOn(string machineId) => _open.Keys.Any(s => s.MachineId == machineId && s.EndReason is null);

    /// <summary>The consoles open on a machine now by users other than <paramref name="exceptUserId"/>, oldest first (ADR 0050).</summary>
    public IReadOnlyList<Core.Api.ConsoleViewer> ViewersOf(string machineId, string exceptUserId) =>
        [.. _open.Keys
            .Where(s => s.MachineId == machineId && s.UserId != exceptUserId && s.EndReason is null)
            .OrderBy(s => s.Since)
            .Select(s => new Core.Api.ConsoleViewer(s.Username, s.Kind, s.Watch, s.Since))];

    /// <summary>Ends every open session of the user; the number ended.</summary>
    public int EndForUser(string userId, string reason) => End(s => s.UserId == userId, reason);

    /// <summary>Ends every open session showing one of the machines; the number ended.</summary>
    public int EndForMachines(IEnumerable<string> machineIds, string reason)
    {
        var machines = machineIds.ToHashSet(StringComparer.Ordinal);
        return machines.Count == 0 ? 0 : End(s => machines.Contains(s.MachineId), reason);
    }

    internal void Remove(ConsoleSession session) => _open.TryRemove(session, out _);

    private int End(Func<ConsoleSession, bool> which, string reason)
    {
        var ended = 0;
        foreach (var session in _open.Keys.Where(which))
        {
            if (session.End(reason))
            {
                ConsolesLog.SessionEnded(logger, session.UserId, session.MachineId, reason);
                ended++;
            }
        }

        return ended;
    }
}
