using SkillVL.Core.Networking;

namespace SkillVL.Core.Nodes;

/// <summary>
/// A node's room routers (ADR 0039): per router a namespace of the room's own joined to the room's bridges, with DHCP and
/// DNS where the room asks. Idempotent like <see cref="INetworkDriver"/>: ensuring an unchanged router does nothing, a
/// changed one is rebuilt, deleting a missing one is fine. The node checks every spec field itself (the spec is a wire
/// type and reaches dnsmasq's files), so a bad spec is an <see cref="ArgumentException"/> there, not a half-built router.
/// </summary>
public interface INodeRouters
{
    /// <summary>Ids of the routers this SkillVL instance has on the node.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Builds the router, or rebuilds it when <paramref name="router"/> differs from what the node has; the
    /// bridges of its legs' networks must exist on the node first.</summary>
    Task EnsureAsync(RouterSpec router, CancellationToken cancellationToken);

    Task DeleteAsync(string routerId, CancellationToken cancellationToken);
}
