using System.Security.Cryptography;
using System.Text;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// Where a live room's routers run and what each builds (ADR 0039), derived every pass from the room's stored definition
/// and its machines' placement — nothing about routers is stored, so a changed room or a moved machine moves or rebuilds
/// the router on the next pass. Pure.
/// </summary>
public static class RouterPlacement
{
    /// <summary>The router's platform id: 12 hex of SHA-256(room id/router name). Stable across passes and Server
    /// restarts; a new room instance (new id) gets new routers, so two instances of one room never share a namespace.</summary>
    public static string IdFor(string roomId, string routerName) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(roomId + "/router/" + routerName)))[..12];

    /// <summary>Every router id the room's definition names (for a deleted room's cleanup).</summary>
    public static IEnumerable<string> IdsOf(RoomEntity room, RoomDefinition? definition) =>
        (definition?.Routers ?? []).Select(r => IdFor(room.Id, r.Name));

    /// <summary>
    /// The room's routers, each on the node holding most of the room's machines on the router's networks
    /// (<see cref="RouterNodes.NodeFor"/>; ties by ordinal name). Only nodes <paramref name="canHost"/> accepts count — a
    /// client node (ADR 0019) may be offline and never hosts one. A router none of whose networks has such a machine goes
    /// to the node with most of the room's machines; a room with none placed on a hosting node gets no router yet.
    /// </summary>
    public static IReadOnlyList<PlannedRouter> Plan(RoomEntity room, RoomDefinition? definition, Func<string, bool> canHost)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(canHost);
        if (definition?.Routers is not { Count: > 0 } routers)
        {
            return [];
        }

        var networks = room.Networks.ToDictionary(n => n.Name, n => (n.Id, n.Mtu), StringComparer.Ordinal);
        if (routers.SelectMany(r => r.Interfaces).Any(i => !networks.ContainsKey(i.Network)))
        {
            return []; // Rows and definition disagree (an apply in progress): next pass.
        }

        var nodeOfMachine = room.Machines.Where(m => canHost(m.NodeName)).ToDictionary(m => m.Name, m => m.NodeName, StringComparer.Ordinal);
        var busiest = nodeOfMachine.Values.GroupBy(n => n, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault();
        var planned = new List<PlannedRouter>();
        foreach (var router in routers)
        {
            if ((RouterNodes.NodeFor(definition, router, nodeOfMachine) ?? busiest) is { } node)
            {
                var id = IdFor(room.Id, router.Name);
                planned.Add(new PlannedRouter(room.Id, router.Name, node, RouterSpecs.For(definition, router, id, networks)));
            }
        }

        return planned;
    }
}
