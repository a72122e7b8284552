namespace SkillVL.Core.Nodes.Protocol;

/// <summary>A one-time token a new node enrols with (`skillvl node join-token`).</summary>
/// <param name="Kind">The node kind the token enrols (server, edge or client); null: any kind (an admin's token made without one).</param>
/// <param name="Owner">The username the client node will belong to; null: an admin's node.</param>
public sealed record JoinTokenInfo(string Token, DateTimeOffset ExpiresAt, string? Kind = null, string? Owner = null);
