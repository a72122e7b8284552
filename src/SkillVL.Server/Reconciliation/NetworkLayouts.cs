using SkillVL.Core.Networking;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// How a room network's nodes are joined (pure, ADR 0019). Server nodes join each other by VXLAN (ADR 0007). A client
/// node (a student's machine, maybe behind NAT) is never a VXLAN peer: it joins a <em>hub</em> — a reachable server node
/// — over one outbound TLS relay connection per network. The hub is a server node that already carries the network
/// when one can (its machines' frames then need no second hop), else the first other server node that can be one; it
/// then gets the bridge and joins the VXLAN mesh like any other node. A network on one client alone needs no hub: its
/// bridge is local. Unchanged inputs give the same hub, so it does not move between passes.
/// </summary>
public static class NetworkLayouts
{
    /// <param name="machineNodes">The nodes the network's machines are on or migrating to (<see cref="NetworkPlacement"/>).</param>
    /// <param name="nodes">Every known node; a node missing here counts as an unreachable server.</param>
    public static NetworkLayout Plan(IReadOnlyList<string> machineNodes, IReadOnlyDictionary<string, NetworkNodeView> nodes)
    {
        var ordered = machineNodes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var clients = ordered.Where(n => IsClient(n, nodes)).ToList();
        var servers = ordered.Where(n => !IsClient(n, nodes)).ToList();
        if (clients.Count == 0 || (clients.Count == 1 && servers.Count == 0))
        {
            return new NetworkLayout(ordered, null, []);
        }

        var hub = servers.FirstOrDefault(n => nodes.TryGetValue(n, out var view) && view.CanBeHub)
            ?? nodes.Values.Where(v => v.CanBeHub).Select(v => v.Name).Order(StringComparer.Ordinal).FirstOrDefault();
        if (hub is null)
        {
            // No node can relay now: each client keeps its machines on a local bridge until one can.
            return new NetworkLayout(ordered, null, []);
        }

        return new NetworkLayout(ordered.Append(hub).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), hub, clients);
    }

    /// <summary>The network as <paramref name="nodeName"/> realises it under <paramref name="layout"/>.</summary>
    public static NetworkSpec SpecFor(
        string networkId,
        int mtu,
        int vni,
        int vxlanPort,
        NetworkLayout layout,
        string nodeName,
        IReadOnlyDictionary<string, NetworkNodeView> nodes)
    {
        if (layout.Clients.Contains(nodeName, StringComparer.Ordinal) && layout.Hub is { } hubName
            && nodes.TryGetValue(hubName, out var hub) && hub.CanBeHub)
        {
            return new NetworkSpec(networkId, mtu, Relay: new NetworkRelay(hub.UnderlayAddress!, hub.RelayPort!.Value, hub.Name));
        }

        var self = nodes.GetValueOrDefault(nodeName);
        if (IsClient(nodeName, nodes) || self?.UnderlayAddress is not { } local)
        {
            return new NetworkSpec(networkId, mtu);
        }

        // Client nodes are never VXLAN peers: plain VXLAN neither crosses their NAT nor is encrypted.
        var mesh = layout.Nodes.Where(n => !IsClient(n, nodes)).ToList();
        var overlay = mesh.Count < 2
            ? null
            : new VxlanOverlay(
                vni,
                local,
                mesh.Where(n => n != nodeName)
                    .Select(n => nodes.GetValueOrDefault(n)?.UnderlayAddress)
                    .OfType<string>()
                    .Order(StringComparer.Ordinal)
                    .ToList(),
                vxlanPort);
        var relayHub = layout.Hub == nodeName && self.RelayPort is { } port
            ? new NetworkRelayHub(local, port, layout.Clients)
            : null;
        return new NetworkSpec(networkId, mtu, overlay, RelayHub: relayHub);
    }

    private static bool IsClient(string name, IReadOnlyDictionary<string, NetworkNodeView> nodes) =>
        nodes.TryGetValue(name, out var view) && view.IsClient;
}
