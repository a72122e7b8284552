using SkillVL.Core.Nodes;

namespace SkillVL.Core.Api;

/// <summary>A node's recent load (<c>GET /api/nodes/{node}/load</c>, admin): the heartbeats' samples, oldest first.</summary>
/// <param name="Node">The node's name.</param>
/// <param name="WindowSeconds">How far back the Server keeps samples.</param>
/// <param name="Samples">Each with <see cref="NodeLoadSample.At"/>, the Server's time of receipt; empty when the node
/// sent none (the embedded node, an older agent, or none within the window).</param>
/// <param name="RoundTripMs">The latest round trip between the Server and the node's agent, timed by the Server on the
/// agent's connection with each heartbeat; null: not measured (the embedded node, an older agent).</param>
public sealed record NodeLoadSeries(string Node, double WindowSeconds, IReadOnlyList<NodeLoadSample> Samples, double? RoundTripMs = null);
