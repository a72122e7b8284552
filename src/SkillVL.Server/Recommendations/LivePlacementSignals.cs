using Microsoft.Extensions.Options;
using SkillVL.Core.Migration;
using SkillVL.Core.Placement;
using SkillVL.Server.Hosting;
using SkillVL.Server.Migrations;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Recommendations;

/// <summary>
/// The signals as the Server has them now (ADR 0027): nodes from the registry (reachable, drained, owner) with their
/// latest heartbeat load and a client's announced departure; free memory = size − every machine placed there, and at most what the node reports available;
/// links as the migration engine assumes them when it does not probe (<see cref="MigrationOptions.Links"/> for the
/// target or the source, else <see cref="MigrationOptions.DefaultLink"/>); a user's console round trip estimated from
/// the round trips the Server times on the agents' connections (<see cref="EstimateConsole"/>).
/// </summary>
public sealed class LivePlacementSignals(NodeRegistry registry, NodeLoadHistory loads, IOptions<SkillVlServerOptions> options, TimeProvider time)
    : IPlacementSignals
{
    public IReadOnlyList<PlacementNode> Nodes(IReadOnlyDictionary<string, long> allocatedBytes) => registry.Known.Select(n =>
    {
        var load = loads.Latest(n.Facts.Name);
        var free = Math.Max(0, n.Facts.MemoryBytes - allocatedBytes.GetValueOrDefault(n.Facts.Name));
        if (load?.MemoryAvailableBytes is { } available)
        {
            free = Math.Min(free, available);
        }

        return new PlacementNode(
            n.Facts.Name, n.Facts.Kind, registry.IsReachable(n), registry.IsDrained(n.Facts.Name),
            registry.OwnerOf(n.Facts.Name)?.Id, load?.CpuUtilization, free, DepartsIn(n.Facts.Name));
    }).ToList();

    /// <summary>How long until a client that announced its departure goes (ADR 0063); zero once the time passed while it
    /// is still connected (nothing can be moved in time then, and nothing is moved onto it).</summary>
    private TimeSpan? DepartsIn(string node) =>
        registry.DepartureOf(node) is { } at ? TimeSpan.FromTicks(Math.Max(0, (at - time.GetUtcNow()).Ticks)) : null;

    public LinkMeasurement? Link(string from, string to)
    {
        var settings = options.Value.Migration;
        var setting = settings.Links.GetValueOrDefault(to) ?? settings.Links.GetValueOrDefault(from) ?? settings.DefaultLink;
        return MigrationQuantities.TryParseRate(setting.Bandwidth, out var bandwidth) && MigrationQuantities.TryParseDuration(setting.Rtt, out var rtt)
            ? new LinkMeasurement(bandwidth, rtt, setting.Loss)
            : null;
    }

    public TimeSpan? ConsoleRoundTrip(string userId, string node)
    {
        if (registry.Find(node) is not { } target)
        {
            return null;
        }

        var ownClients = registry.Known
            .Where(n => n.Facts.Kind == "client" && registry.OwnerOf(n.Facts.Name)?.Id == userId && registry.IsReachable(n))
            .Select(n => loads.RoundTrip(n.Facts.Name))
            .OfType<TimeSpan>()
            .ToList();

        // The embedded node runs in the Server's process: its console leg is the gateway itself.
        var serverToNode = target.Connection is not null ? loads.RoundTrip(node) : TimeSpan.Zero;
        return EstimateConsole(target.Facts.Kind == "client", ownClients, serverToNode);
    }

    /// <summary>
    /// A user's console round trip to a machine on a server or edge node, estimated as their computer's link to the
    /// Server (the round trip timed on its agent's connection; the fastest if they have several) plus the Server's to
    /// the node — the path the console takes through the gateway, assuming the user's browser runs on their computer.
    /// Null when either leg is unknown (the user has no connected computer, a node is not measured) and for a client
    /// node, whose owner uses its local console (the advisor takes that as 1 ms).
    /// </summary>
    public static TimeSpan? EstimateConsole(bool nodeIsClient, IReadOnlyList<TimeSpan> ownClientLinks, TimeSpan? serverToNode) =>
        nodeIsClient || ownClientLinks.Count == 0 || serverToNode is not { } leg ? null : ownClientLinks.Min() + leg;
}
