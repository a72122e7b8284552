namespace SkillVL.Core.Nodes.Protocol;

/// <param name="ExpiresInMinutes">Default 60.</param>
/// <param name="Kind">
/// server | edge | client. Anyone may ask for a client token (their own machine, issue 12); server and edge tokens, and
/// a token without a kind (any kind, as before issue 12), are an admin's.
/// </param>
/// <param name="Owner">
/// The username the client node will belong to. Default: the caller for a non-admin, none for an admin (an unowned
/// client node, which only an admin may target). Only an admin may name another user.
/// </param>
public sealed record CreateJoinTokenRequest(int? ExpiresInMinutes = null, string? Kind = null, string? Owner = null);
