namespace SkillVL.Core.Placement.Control;

/// <summary>A migration running or waiting between two nodes: it counts against both nodes' and the link's limits.</summary>
public sealed record MoveUnderWay(string From, string To);
