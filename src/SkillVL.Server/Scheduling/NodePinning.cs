using SkillVL.Core.Rooms;

namespace SkillVL.Server.Scheduling;

/// <summary>
/// Who may pin a machine to a node (<c>machines[].node</c>) or move one there (issue 11, finding 9), as a pure function
/// (tested with a table). An admin: any node (the placement's own checks still apply). Anyone else: only a node that
/// is not a client — client nodes are people's own machines, and until a client node has an owner (issue 12) only an
/// admin may put a machine there (403) — and only one that is ready and not drained (400), so a student cannot park a
/// machine on a node that cannot run it. A machine that already runs on the node it names is not a new pin.
/// </summary>
public static class NodePinning
{
    /// <summary>A refusal: 403 (<paramref name="Forbidden"/>) or 400, naming the field.</summary>
    public sealed record Refusal(bool Forbidden, ValidationError Error);

    /// <param name="node">The node named, or null when no node has that name (the placement says so).</param>
    public static Refusal? Check(bool admin, string field, string nodeName, NodeCapacity? node)
    {
        if (admin || node is null)
        {
            return null;
        }

        if (node.Kind == "client")
        {
            return new(true, new(field, $"node '{nodeName}' is a client node: only an admin can place machines on it"));
        }

        if (!node.Reachable)
        {
            return new(false, new(field, $"node '{nodeName}' is not ready (unreachable): pick a ready node or leave the node out"));
        }

        return node.Drained
            ? new(false, new(field, $"node '{nodeName}' is drained: it takes no new machines; pick another node or leave the node out"))
            : null;
    }

    /// <summary>The first refusal among a room definition's pins, skipping machines that already run where they name.</summary>
    /// <param name="current">Where the room's existing machines run, by machine name.</param>
    public static Refusal? Check(bool admin, RoomDefinition definition, IReadOnlyDictionary<string, string> current, Func<string, NodeCapacity?> find)
    {
        for (var i = 0; i < definition.Machines.Count; i++)
        {
            var machine = definition.Machines[i];
            if (machine.Node is null || (current.TryGetValue(machine.Name, out var on) && on == machine.Node))
            {
                continue;
            }

            if (Check(admin, $"machines[{i}].node", machine.Node, find(machine.Node)) is { } refused)
            {
                return refused;
            }
        }

        return null;
    }
}
