namespace SkillVL.Core.Api.Checkouts;

/// <summary><c>POST /api/v1/rooms/{room}/machines/{machine}/checkout</c>: move the running machine live to a client node
/// and keep the server's copy of its disk.</summary>
/// <param name="To">The client node's name (the room owner's own machine).</param>
public sealed record CheckoutRequest(string? To);
