using SkillVL.Server.Data;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// Which nodes a room's networks belong on (pure). A network is a bridge on a node only while a machine placed on
/// that node — or migrating to it — has a NIC on it (issue 11, finding 5: a room of 200 networks made 200 bridges;
/// networks nobody uses cost nothing). The VXLAN tunnels of a network join exactly those nodes.
/// </summary>
public static class NetworkPlacement
{
    /// <summary>Network id → the nodes it belongs on, ordinal order; networks no machine uses are absent.</summary>
    /// <param name="migratingTo">Machine id → the node it is migrating to, for the room's migrations.</param>
    public static Dictionary<string, List<string>> NodesOf(RoomEntity room, IReadOnlyDictionary<string, string> migratingTo)
    {
        var byNetwork = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
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
