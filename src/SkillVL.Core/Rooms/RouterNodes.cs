namespace SkillVL.Core.Rooms;

/// <summary>
/// Which node hosts a room's router (ADR 0039): the node with the most of the room's machines on the router's
/// networks, so most routed traffic stays on one host; ties go to the ordinally first node name so the choice is
/// stable between reconcile passes. Machines elsewhere reach the router over the network's VXLAN.
/// </summary>
public static class RouterNodes
{
    /// <param name="room">A validated room.</param>
    /// <param name="router">One of its routers.</param>
    /// <param name="nodeOfMachine">Where each placed machine (by name) runs; unplaced machines are absent.</param>
    /// <returns>The node name; null when no machine on the router's networks is placed yet.</returns>
    public static string? NodeFor(RoomDefinition room, RouterDefinition router, IReadOnlyDictionary<string, string> nodeOfMachine)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(nodeOfMachine);
        var networks = router.Interfaces.Select(i => i.Network).ToHashSet(StringComparer.Ordinal);
        return room.Machines
            .Where(m => m.Nics.Any(n => networks.Contains(n.Network)) && nodeOfMachine.ContainsKey(m.Name))
            .GroupBy(m => nodeOfMachine[m.Name], StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key)
            .FirstOrDefault();
    }
}
