namespace SkillVL.Experiments;

/// <summary>
/// <c>where: { nodes: { from, to }, template }</c>: the runs move VMs between two nodes an existing Server already has
/// (real hosts), instead of on a testbed the runner creates. The runner then cannot shape the link, count the link's
/// bytes or build templates: the spec states the link it has (one bandwidth, one RTT: the model predicts with them, the
/// Server's probe records what it measured beside them) and names a template whose disk is the cell's disk.
/// </summary>
/// <param name="From">The node the room is placed on (the source).</param>
/// <param name="To">The node the VMs move to.</param>
/// <param name="Template">The Server's template the VMs are made from.</param>
public sealed record ExistingNodes(string From, string To, string Template);
