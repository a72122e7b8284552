using SkillVL.Core.Addressing;
using SkillVL.Core.Rooms;

namespace SkillVL.Core.Checks;

/// <summary>
/// What the guest agent runs for a check (ADR 0042): a run check is its own line under <c>/bin/sh -c</c>; a reaches check
/// is up to <see cref="PingAttempts"/> pings of the target, stopping at the first answer. Expects a room that passed
/// <see cref="RoomValidator"/>.
/// </summary>
public static class CheckCommand
{
    /// <summary>
    /// A first ping can be lost to ARP resolution on a freshly booted guest (and TCG guests are slow), so one lost packet
    /// must not fail the check; three attempts of 2 s bound a failing check at about 6 s, well inside its timeout.
    /// </summary>
    public const int PingAttempts = 3;

    /// <summary>The program and arguments for the machine's guest agent.</summary>
    public static IReadOnlyList<string> Argv(RoomDefinition room, CheckDefinition check)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(check);
        if (check.Run is { } run)
        {
            return ["/bin/sh", "-c", run];
        }

        var target = Target(room, check)
            ?? throw new ArgumentException($"check '{check.Name}' has neither run nor a reachable target", nameof(check));

        // The address is a validated dotted quad, never the author's raw text, so it cannot carry shell syntax.
        return ["/bin/sh", "-c", $"for i in 1 2 3; do ping -c 1 -W 2 {target} >/dev/null 2>&1 && exit 0; done; exit 1"];
    }

    /// <summary>
    /// The address a reaches check pings: the address itself, or the named machine's static address on a network the
    /// checking machine shares with it (else its first static address: a routed path). Null: not a reaches check, or no
    /// address.
    /// </summary>
    public static string? Target(RoomDefinition room, CheckDefinition check)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(check);
        if (check.Reaches is not { } reaches)
        {
            return null;
        }

        if (Ipv4Address.TryParse(reaches, out var address))
        {
            return address.ToString();
        }

        var target = room.Machines.FirstOrDefault(m => m.Name == reaches);
        var source = room.Machines.FirstOrDefault(m => m.Name == check.Machine);
        if (target is null)
        {
            return null;
        }

        var shared = source?.Nics.Select(n => n.Network).ToHashSet(StringComparer.Ordinal) ?? [];
        var nic = target.Nics.FirstOrDefault(n => n.Ip is not null && shared.Contains(n.Network))
            ?? target.Nics.FirstOrDefault(n => n.Ip is not null);
        return nic?.Ip is { } ip && Ipv4Address.TryParse(ip, out var parsed) ? parsed.ToString() : null;
    }
}
