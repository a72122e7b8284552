using SkillVL.Core.Nodes;

namespace SkillVL.Core.Api;

/// <summary>A node's recent load (<c>GET /api/nodes/{node}/load</c>, admin): the heartbeats' samples, oldest first.</summary>
/// <param name="Node">The node's name.</param>
/// <param name="WindowSeconds">How far back the Server keeps samples.</param>
/// <param name="Samples">Each with <see cref="NodeLoadSample.At"/>, the Server's time of receipt; empty when the node
/// sent none (the embedded node, an older agent, or none within the window).</param>
public sealed record NodeLoadSeries(string Node, double WindowSeconds, IReadOnlyList<NodeLoadSample> Samples);
