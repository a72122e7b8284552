using Microsoft.Extensions.Options;
using SkillVL.Core.Migration;
using SkillVL.Core.Placement;
using SkillVL.Server.Hosting;
using SkillVL.Server.Migrations;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Recommendations;

/// <summary>
/// The signals as the Server has them now (ADR 0027): nodes from the registry (reachable, drained, owner) with their
/// latest heartbeat load; free memory = size − every machine placed there, and at most what the node reports available;
/// links as the migration engine assumes them when it does not probe (<see cref="MigrationOptions.Links"/> for the
/// target or the source, else <see cref="MigrationOptions.DefaultLink"/>). No console round trip is measured yet.
/// </summary>
public sealed class LivePlacementSignals(NodeRegistry registry, NodeLoadHistory loads, IOptions<SkillVlServerOptions> options) : IPlacementSignals
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
            registry.OwnerOf(n.Facts.Name)?.Id, load?.CpuUtilization, free);
    }).ToList();

    public LinkMeasurement? Link(string from, string to)
    {
        var settings = options.Value.Migration;
        var setting = settings.Links.GetValueOrDefault(to) ?? settings.Links.GetValueOrDefault(from) ?? settings.DefaultLink;
        return MigrationQuantities.TryParseRate(setting.Bandwidth, out var bandwidth) && MigrationQuantities.TryParseDuration(setting.Rtt, out var rtt)
            ? new LinkMeasurement(bandwidth, rtt, setting.Loss)
            : null;
    }

    public TimeSpan? ConsoleRoundTrip(string userId, string node) => null;
}
