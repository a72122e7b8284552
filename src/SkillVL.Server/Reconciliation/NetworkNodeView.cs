namespace SkillVL.Server.Reconciliation;

/// <summary>What the room-network layout needs to know of a node (from its facts and the registry).</summary>
/// <param name="Name">Node name.</param>
/// <param name="Kind">"server", "edge" or "client".</param>
/// <param name="UnderlayAddress">Its VXLAN/relay address; null: none.</param>
/// <param name="RelayPort">Its relay listener port; null: it cannot be a hub.</param>
/// <param name="Reachable">Connected to the Server now.</param>
public sealed record NetworkNodeView(string Name, string Kind, string? UnderlayAddress, int? RelayPort, bool Reachable)
{
    public bool IsClient => Kind == "client";

    /// <summary>A node that client nodes can dial: not a client, reachable, with an address and a relay port.</summary>
    public bool CanBeHub => !IsClient && Reachable && UnderlayAddress is not null && RelayPort is not null;
}
