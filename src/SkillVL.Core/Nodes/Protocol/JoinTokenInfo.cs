namespace SkillVL.Core.Nodes.Protocol;

/// <summary>A one-time token a new node enrols with (`skillvl node join-token`).</summary>
public sealed record JoinTokenInfo(string Token, DateTimeOffset ExpiresAt);
