using System.Collections.Concurrent;
using SkillVL.Core.Nodes;

namespace SkillVL.Server.Nodes;

/// <summary>
/// The recent load of every node, as its heartbeats brought it (ADR 0027): per node a ring of the last
/// <see cref="MaxSamples"/> samples, none older than <see cref="Window"/>. In memory only — a load is worth minutes, and
/// after a restart the next heartbeats refill it — and bounded, whatever an agent sends and however long it runs.
/// </summary>
public sealed class NodeLoadHistory(TimeProvider time)
{
    /// <summary>How far back the series goes: 30 minutes, enough to see a burst build and pass, and the horizon a
    /// placement decision looks at.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(30);

    /// <summary>The most samples kept per node: 30 min at the agents' 5 s heartbeat. A faster agent gets a shorter
    /// window, not more memory.</summary>
    public const int MaxSamples = 360;

    private readonly ConcurrentDictionary<string, Queue<NodeLoadSample>> _series = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (TimeSpan RoundTrip, DateTimeOffset At)> _roundTrips = new(StringComparer.Ordinal);

    /// <summary>Adds a sample, stamped with the Server's clock, and drops what falls out of the ring or the window.</summary>
    public void Record(string node, NodeLoadSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var now = time.GetUtcNow();
        var queue = _series.GetOrAdd(node, _ => new Queue<NodeLoadSample>());
        lock (queue)
        {
            queue.Enqueue(sample with { At = now });
            while (queue.Count > MaxSamples || (queue.TryPeek(out var oldest) && now - oldest.At > Window))
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>The node's samples within the window, oldest first; empty when it sent none.</summary>
    public IReadOnlyList<NodeLoadSample> Series(string node)
    {
        if (!_series.TryGetValue(node, out var queue))
        {
            return [];
        }

        var since = time.GetUtcNow() - Window;
        lock (queue)
        {
            return queue.Where(s => s.At >= since).ToList();
        }
    }

    /// <summary>The node's newest sample within the window, or null.</summary>
    public NodeLoadSample? Latest(string node) => Series(node) is [.., var last] ? last : null;

    /// <summary>Records the round trip the Server just timed on the node's agent connection (a <c>node.ping</c>).</summary>
    public void RecordRoundTrip(string node, TimeSpan roundTrip) => _roundTrips[node] = (roundTrip, time.GetUtcNow());

    /// <summary>The node's latest round trip to the Server within the window, or null: not measured (the embedded node,
    /// an agent that does not answer <c>node.ping</c>), or too long ago.</summary>
    public TimeSpan? RoundTrip(string node) =>
        _roundTrips.TryGetValue(node, out var latest) && time.GetUtcNow() - latest.At <= Window ? latest.RoundTrip : null;

    /// <summary>Forgets a removed node's series.</summary>
    public void Forget(string node)
    {
        _series.TryRemove(node, out _);
        _roundTrips.TryRemove(node, out _);
    }
}
