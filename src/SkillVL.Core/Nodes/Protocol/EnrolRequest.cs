namespace SkillVL.Core.Nodes.Protocol;

/// <summary>An agent's first contact: a one-time join token for a credential of its own.</summary>
/// <param name="Kind">"server", "edge" or "client".</param>
public sealed record EnrolRequest(string? JoinToken, string? Name, string? Kind);
