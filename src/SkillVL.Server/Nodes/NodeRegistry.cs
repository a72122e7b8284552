using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SkillVL.Core.Nodes;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Nodes;

/// <summary>
/// The nodes the Server can command: the in-process "local" node in embedded mode and every enrolled agent
/// (reachable or not). The reconciler only looks at reachable nodes, so an unreachable node's VMs are left
/// alone until its agent is back.
/// </summary>
public sealed class NodeRegistry(TimeProvider time, IOptions<SkillVlServerOptions> options)
{
    private readonly ConcurrentDictionary<string, INodeAgent> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _drained = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NodeOwner> _owners = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _departures = new(StringComparer.Ordinal);

    public void Register(INodeAgent agent)
    {
        _nodes[agent.Facts.Name] = agent;
        // A client that comes back after the time it said it would leave is here again; a reconnect before it (a network
        // blip) keeps the announcement.
        if (_departures.TryGetValue(agent.Facts.Name, out var at) && at <= time.GetUtcNow())
        {
            _departures.TryRemove(agent.Facts.Name, out _);
        }
    }

    public void Remove(string name)
    {
        _nodes.TryRemove(name, out _);
        _drained.TryRemove(name, out _);
        _owners.TryRemove(name, out _);
        _departures.TryRemove(name, out _);
    }

    public INodeAgent? Find(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>Reachable nodes, by name.</summary>
    public IReadOnlyList<INodeAgent> All => Known.Where(IsReachable).ToList();

    /// <summary>Every known node, reachable or not, by name.</summary>
    public IReadOnlyList<INodeAgent> Known => _nodes.Values.OrderBy(n => n.Facts.Name, StringComparer.Ordinal).ToList();

    /// <summary>The embedded node (no <see cref="INodeAgent.Connection"/>) always; another while its connection is up and it
    /// reported within the heartbeat timeout.</summary>
    public bool IsReachable(INodeAgent node) =>
        node.Connection is not { } connection
        || (connection.IsConnected && time.GetUtcNow() - connection.LastSeen < options.Value.NodeHeartbeatTimeout);

    public bool IsDrained(string name) => _drained.GetValueOrDefault(name);

    public void SetDrained(string name, bool drained) => _drained[name] = drained;

    /// <summary>Whose client node this is (issue 12), or null: an admin's node. Kept here, beside the drain, so the
    /// pin, placement and migration checks read it without a query.</summary>
    public NodeOwner? OwnerOf(string name) => _owners.GetValueOrDefault(name);

    /// <summary>When a client node said it leaves (ADR 0063), or null. In memory: an announcement is about the next minutes,
    /// and after a Server restart the owner (or the agent) says it again.</summary>
    public DateTimeOffset? DepartureOf(string name) => _departures.TryGetValue(name, out var at) ? at : null;

    /// <summary>Announces (or with null withdraws) a client node's departure.</summary>
    public void SetDeparture(string name, DateTimeOffset? at)
    {
        if (at is { } when)
        {
            _departures[name] = when;
        }
        else
        {
            _departures.TryRemove(name, out _);
        }
    }

    public void SetOwner(string name, NodeOwner? owner)
    {
        if (owner is null)
        {
            _owners.TryRemove(name, out _);
        }
        else
        {
            _owners[name] = owner;
        }
    }
}
