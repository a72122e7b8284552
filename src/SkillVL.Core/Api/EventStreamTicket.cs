namespace SkillVL.Core.Api;

/// <summary>
/// A single-use, 30-second ticket for the event stream: open <see cref="Url"/> (GET /api/v1/events?ticket=…, add
/// &amp;room=ID for one room) with EventSource before <see cref="ExpiresAt"/>. A dropped stream needs a new ticket.
/// </summary>
public sealed record EventStreamTicket(string Url, DateTimeOffset ExpiresAt);
