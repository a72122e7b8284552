namespace SkillVL.Core.Nodes.Protocol;

/// <param name="ExpiresInMinutes">Default 60.</param>
public sealed record CreateJoinTokenRequest(int? ExpiresInMinutes = null);
