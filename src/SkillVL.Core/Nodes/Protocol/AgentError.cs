namespace SkillVL.Core.Nodes.Protocol;

/// <summary>A failed call, carried so the Server can raise the same kind of exception the driver raised.</summary>
/// <param name="Kind">"driver", "invalid-vm-state", "guest-agent-unavailable" or "internal".</param>
public sealed record AgentError(string Kind, string Message, bool Transient);
