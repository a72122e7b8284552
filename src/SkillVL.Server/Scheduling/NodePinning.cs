using SkillVL.Core.Rooms;

namespace SkillVL.Server.Scheduling;

/// <summary>
/// Who may pin a machine to a node (<c>machines[].node</c>) or move one there (issue 11, finding 9; issue 12), as a
/// pure function (tested with a table).
/// <para>
/// A client node is someone's own machine. An owned one takes only its owner's rooms' machines — whoever asks, an
/// admin included — and, for a course instance, only where the course allows client nodes; a course's published room
/// cannot name one at all (each instance belongs to its own student). An unowned client node (an admin's join token
/// without an owner) is an admin's target only, as before issue 12. All of these are 403.
/// </para>
/// <para>
/// Otherwise an admin may name any node (the placement's own checks still apply); anyone else only one that is ready and
/// not drained (400), so a student cannot park a machine on a node that cannot run it. A machine that already runs on the
/// node it names is not a new pin.
/// </para>
/// </summary>
public static class NodePinning
{
    /// <summary>A refusal: 403 (<paramref name="Forbidden"/>) or 400, naming the field.</summary>
    public sealed record Refusal(bool Forbidden, ValidationError Error);

    /// <param name="room">Whose machine it is (the room's owner, its course).</param>
    /// <param name="node">The node named, or null when no node has that name (the placement says so).</param>
    public static Refusal? Check(bool admin, PinTarget room, string field, string nodeName, NodeCapacity? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node.Kind == "client" && ClientRefusal(admin, room, nodeName, node) is { } message)
        {
            return new(true, new(field, message));
        }

        if (admin)
        {
            return null;
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
    public static Refusal? Check(bool admin, PinTarget room, RoomDefinition definition, IReadOnlyDictionary<string, string> current, Func<string, NodeCapacity?> find)
    {
        for (var i = 0; i < definition.Machines.Count; i++)
        {
            var machine = definition.Machines[i];
            if (machine.Node is null || (current.TryGetValue(machine.Name, out var on) && on == machine.Node))
            {
                continue;
            }

            if (Check(admin, room, $"machines[{i}].node", machine.Node, find(machine.Node)) is { } refused)
            {
                return refused;
            }
        }

        return null;
    }

    private static string? ClientRefusal(bool admin, PinTarget room, string nodeName, NodeCapacity node)
    {
        if (node.Owner is not { } owner)
        {
            return admin ? null : $"node '{nodeName}' is a client node without an owner: only an admin can place machines on it";
        }

        if (room.OwnerId is null)
        {
            return $"node '{nodeName}' is a client node: course '{room.Course}' cannot pin machines there (each instance belongs to its own student, who may move theirs)";
        }

        if (owner.Id != room.OwnerId)
        {
            // An admin sees every node and its owner; anyone else learns only that it is not theirs to use.
            return admin
                ? $"node '{nodeName}' belongs to {owner.Username}: only {owner.Username}'s own machines can go there"
                : $"node '{nodeName}' is another user's client node: only its owner's machines can go there";
        }

        return room.Course is { } course && !room.CourseAllowsClientNodes
            ? $"course '{course}' does not allow client nodes: its teacher can allow them (skillvl course update {course} --allow-client-nodes)"
            : null;
    }
}
