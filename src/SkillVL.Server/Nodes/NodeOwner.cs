namespace SkillVL.Server.Nodes;

/// <summary>The user a client node belongs to (issue 12): the id rules compare, the username messages show.</summary>
public sealed record NodeOwner(string Id, string Username);
