namespace SkillVL.Core.Api.Checkouts;

/// <summary>Body of <c>POST /rooms/{room}/machines/{machine}/revive</c> (ADR 0025).</summary>
/// <param name="Lost">Declare the client lost: revive before its lease ran out. Its copy may then still run offline until
/// the client reconnects and is fenced — the price of the human override.</param>
public sealed record ReviveRequest(bool Lost = false);
