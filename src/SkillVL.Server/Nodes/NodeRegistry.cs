using System.Collections.Concurrent;
using SkillVL.Core.Nodes;

namespace SkillVL.Server.Nodes;

/// <summary>The nodes the Server can command. Embedded mode registers one: the in-process agent "local".</summary>
public sealed class NodeRegistry
{
    private readonly ConcurrentDictionary<string, INodeAgent> _nodes = new(StringComparer.Ordinal);

    public void Register(INodeAgent agent) => _nodes[agent.Facts.Name] = agent;

    public INodeAgent? Find(string name) => _nodes.GetValueOrDefault(name);

    public IReadOnlyList<INodeAgent> All => _nodes.Values.OrderBy(n => n.Facts.Name, StringComparer.Ordinal).ToList();

    /// <summary>Where new machines go. One node for now; scheduling across nodes comes with multi-node support.</summary>
    public string PlacementFor(int cpus, long memoryBytes)
    {
        var fits = All.FirstOrDefault(n => n.Facts.Cpus >= cpus && n.Facts.MemoryBytes >= memoryBytes);
        var all = All;
        return (fits ?? (all.Count > 0 ? all[0] : null))?.Facts.Name
            ?? throw new InvalidOperationException("No node is registered yet; the Server is still starting.");
    }
}
