using SkillVL.Server.Data;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// Which nodes a room's networks belong on (pure). A network is a bridge on a node only while a machine placed on
/// that node — or migrating to it — has a NIC on it (issue 11, finding 5: a room of 200 networks made 200 bridges;
/// networks nobody uses cost nothing). The VXLAN tunnels of a network join exactly those nodes. A node hosting a room
/// router (ADR 0039) has each of the router's networks too, machines there or not: the router's legs are ports of them.
/// </summary>
public static class NetworkPlacement
{
    /// <summary>Network id → the nodes it belongs on, ordinal order; networks no machine uses are absent.</summary>
    /// <param name="migratingTo">Machine id → the node it is migrating to, for the room's migrations.</param>
    /// <param name="routers">The room's routers as placed (<see cref="RouterPlacement.Plan"/>); none when null.</param>
    public static Dictionary<string, List<string>> NodesOf(
        RoomEntity room, IReadOnlyDictionary<string, string> migratingTo, IEnumerable<PlannedRouter>? routers = null)
    {
        var byNetwork = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var router in routers ?? [])
        {
            foreach (var leg in router.Spec.Legs)
            {
                if (!byNetwork.TryGetValue(leg.NetworkId, out var nodes))
                {
                    byNetwork[leg.NetworkId] = nodes = new SortedSet<string>(StringComparer.Ordinal);
                }

                nodes.Add(router.Node);
            }
        }

        foreach (var machine in room.Machines)
        {
            foreach (var nic in machine.Nics)
            {
                if (!byNetwork.TryGetValue(nic.NetworkId, out var nodes))
                {
                    byNetwork[nic.NetworkId] = nodes = new SortedSet<string>(StringComparer.Ordinal);
                }

                nodes.Add(machine.NodeName);
                if (migratingTo.TryGetValue(machine.Id, out var target))
                {
                    nodes.Add(target);
                }
            }
        }

        return byNetwork.ToDictionary(e => e.Key, e => e.Value.ToList(), StringComparer.Ordinal);
    }
}
