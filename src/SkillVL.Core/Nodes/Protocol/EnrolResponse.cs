namespace SkillVL.Core.Nodes.Protocol;

/// <summary>The node's credential ("svl_node_…"): the agent keeps it and authenticates every connection with it.</summary>
public sealed record EnrolResponse(string Name, string Credential);
